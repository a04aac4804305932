package dev.spillway.core.batch.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads JSON Lines from a stream one line at a time, never holding more than one line: a line longer than the
 * limit is skipped to its end and reported as too long rather than buffered.
 */
final class LineReader {

    /** One line without its terminator (and without a leading byte-order mark on the first). */
    record Line(long number, byte[] bytes, boolean tooLong) {

        boolean isBlank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return !tooLong;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long bytesRead;
    private long lineNumber;
    private byte[] line = new byte[1024];

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        int length = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
                bytesRead += limit;
            }
            any = true;
            byte b = buffer[position++];
            if (b == '\n') {
                break;
            }
            if (tooLong) {
                continue;
            }
            if (length == maxLineBytes) {
                tooLong = true;
                continue;
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[length++] = b;
        }
        lineNumber++;
        int from = 0;
        if (lineNumber == 1 && length >= 3 && (line[0] & 0xff) == 0xef && (line[1] & 0xff) == 0xbb
                && (line[2] & 0xff) == 0xbf) {
            from = 3;
        }
        int to = length > from && line[length - 1] == '\r' ? length - 1 : length;
        return new Line(lineNumber, tooLong ? new byte[0] : Arrays.copyOfRange(line, from, to), tooLong);
    }

    /** Bytes taken from the stream so far. */
    long bytesRead() {
        return bytesRead;
    }
}
