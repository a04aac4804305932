package dev.spillway.backend.batching;

import java.time.Duration;

import dev.spillway.core.upstream.UpstreamException;

/** How many requests an engine may have in flight now, learning from each call that finishes. */
public interface EngineCapacity extends AutoCloseable {

    /** Requests the batcher may keep in flight; at least 1. */
    int limit();

    /**
     * One call ended.
     *
     * @param completionTokens tokens it generated (0 on failure)
     * @param failure          why it failed, or null when it succeeded
     */
    default void onCallFinished(Duration latency, int completionTokens, UpstreamException failure) {
    }

    @Override
    default void close() {
    }

    /** A fixed number of sequences, e.g. the slots of an embedded llama.cpp model. */
    static EngineCapacity fixed(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1: " + slots);
        }
        return () -> slots;
    }
}
