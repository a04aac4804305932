package dev.spillway.backend.engine.llamacpp;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load the embedded llama.cpp engine.
 *
 * @param ggufPath         the model file
 * @param parallelSlots    concurrent sequences decoded in one batch; llama.cpp splits the context evenly across them
 * @param contextPerSlot   tokens (prompt + completion) one request may use
 * @param threads          CPU threads for generation and prompt processing
 * @param defaultMaxTokens completion limit when a request sets none
 */
public record LlamaCppSettings(Path ggufPath, int parallelSlots, int contextPerSlot, int threads, int defaultMaxTokens) {

    public LlamaCppSettings {
        Objects.requireNonNull(ggufPath, "ggufPath");
        if (parallelSlots < 1 || contextPerSlot < 16 || threads < 1 || defaultMaxTokens < 1) {
            throw new IllegalArgumentException("need parallelSlots >= 1, contextPerSlot >= 16, threads >= 1 and "
                    + "defaultMaxTokens >= 1: " + parallelSlots + ", " + contextPerSlot + ", " + threads + ", "
                    + defaultMaxTokens);
        }
    }
}
