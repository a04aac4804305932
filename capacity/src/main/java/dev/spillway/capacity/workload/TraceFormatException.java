package dev.spillway.capacity.workload;

/** A trace line that cannot be read; the message names the file, the line and what is wrong with it. */
public final class TraceFormatException extends IllegalArgumentException {

    public TraceFormatException(final String source, final int line, final String problem) {
        super(source + " line " + line + ": " + problem);
    }
}
