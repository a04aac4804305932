package dev.spillway.core.stream;

import java.util.concurrent.CompletableFuture;

/**
 * Writes one attempt of a job into its live stream. Calls return at once (the engine's token loop never waits for
 * Redis); entries reach the stream in the order written. After a write fails the writer writes nothing more, so a
 * reader never meets a gap: it finds the answer in the job store instead.
 */
public interface JobStreamWriter {

    /** One chunk of the answer, as the engine wrote it. */
    void chunk(String json);

    /** Whether {@link #chunk} was called at least once. */
    boolean wroteChunks();

    /**
     * Ends the attempt's stream; later calls write nothing.
     *
     * @param data an error's JSON for {@link StreamEntry.Kind#ERROR}, else empty
     * @return completes once every entry written so far has reached the stream (or failed to)
     */
    CompletableFuture<Void> end(StreamEntry.Kind kind, String data);
}
