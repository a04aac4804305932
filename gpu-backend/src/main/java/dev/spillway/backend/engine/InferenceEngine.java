package dev.spillway.backend.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.upstream.UpstreamException;

/**
 * Produces chat completions. Implementations must be safe to call from several threads at once: the worker runs as
 * many jobs concurrently as it has slots, and the batcher in front of each engine hands it batches of them.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * @throws UpstreamException with {@link UpstreamException#retryable()} true when the same request may
     *         succeed later (overload, timeout, 5xx), false when it never will (bad request, context too long)
     */
    Generation generate(ChatCompletionRequest request) throws UpstreamException;

    /**
     * Like {@link #generate(ChatCompletionRequest)}, telling each chunk of the answer to {@code chunks} as it is
     * generated, for a job whose client streams. The default tells nothing: an engine that cannot stream leaves the
     * worker to tell the whole answer as chunks once it is done.
     */
    default Generation generate(ChatCompletionRequest request, ChunkSink chunks) throws UpstreamException {
        return generate(request);
    }

    /**
     * {@link #generateBatch(List, Executor)} where some requests stream: {@code chunks} holds each request's sink, or
     * null for one that does not stream. The default runs the streaming ones as concurrent
     * {@link #generate(ChatCompletionRequest, ChunkSink)} calls.
     */
    default List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests,
            List<ChunkSink> chunks, Executor sequences) {
        if (chunks.stream().allMatch(Objects::isNull)) {
            return generateBatch(requests, sequences);
        }
        List<CompletableFuture<Generation>> outcomes = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            ChatCompletionRequest request = requests.get(i);
            ChunkSink sink = chunks.get(i);
            outcomes.add(InterruptibleCall.start(sequences,
                    () -> sink == null ? generate(request) : generate(request, sink)));
        }
        return outcomes;
    }

    /**
     * Starts every request of a batch and returns at once with one outcome per request, in order. Each outcome
     * completes on its own as soon as its sequence ends (batch mates never wait for each other) and fails alone
     * with an {@link UpstreamException}; cancelling one stops that sequence only.
     *
     * <p>The default runs concurrent {@link #generate} calls on {@code sequences}, which is batching for engines
     * that batch server-side (vLLM and friends); engines that decode batches themselves override it.
     */
    default List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests,
            Executor sequences) {
        List<CompletableFuture<Generation>> outcomes = new ArrayList<>(requests.size());
        for (ChatCompletionRequest request : requests) {
            outcomes.add(InterruptibleCall.start(sequences, () -> generate(request)));
        }
        return outcomes;
    }

    @Override
    default void close() {
    }
}
