package dev.spillway.backend.engine;

import dev.spillway.core.api.ChatCompletionRequest;

/**
 * Produces one chat completion. Implementations must be safe to call from several threads at once:
 * the worker runs as many jobs concurrently as it has slots, and engines that batch (embedded
 * llama.cpp with parallel slots, a vLLM server) turn that concurrency into batched decoding.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * @throws EngineException with {@link EngineException#retryable()} true when the same request may
     *         succeed later (overload, timeout, 5xx), false when it never will (bad request, context too long)
     */
    Generation generate(ChatCompletionRequest request) throws EngineException;

    @Override
    default void close() {
    }
}
