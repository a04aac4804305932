package dev.spillway.backend.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import dev.spillway.backend.engine.ChunkSink;
import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.UpstreamException;

/**
 * Groups one model's requests into batches for its engine. Jobs call {@link #generate} (or {@link #submit}) and
 * wait for their own outcome; a scheduler thread starts a batch of up to {@code maxBatchSize} requests and
 * {@code maxBatchTokens} estimated tokens as soon as it is full, or once its first request has waited
 * {@code maxWait}, and only while the engine has room: requests in flight never exceed the engine's
 * {@link EngineCapacity} (llama.cpp's slots, or the adaptive limit of a vLLM server). Batching is continuous: a new
 * batch joins while earlier sequences still decode, as soon as some of them end.
 *
 * <p>All requests of one batcher are compatible by construction (one model, one engine). One request's failure or
 * cancellation never touches its batch mates.
 */
public final class DynamicBatcher implements InferenceEngine {

    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);
    /** Rough tokens per character of English text, for the token budget; the engine counts exactly later. */
    private static final int CHARS_PER_TOKEN = 4;
    /** Re-reads an adaptive limit that may have grown while the engine was full. */
    private static final long FULL_ENGINE_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final String model;
    private final InferenceEngine engine;
    private final EngineCapacity capacity;
    private final BatchPolicy policy;
    private final SpillwayMetrics metrics;
    private final ExecutorService sequences;
    private final Thread scheduler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    public DynamicBatcher(String model, InferenceEngine engine, EngineCapacity capacity, BatchPolicy policy,
            SpillwayMetrics metrics) {
        this.model = model;
        this.engine = engine;
        this.capacity = capacity;
        this.policy = policy;
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.sequences = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "spillway-sequence-" + model + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        metrics.engineInFlight(model, this, DynamicBatcher::inFlightLimit, DynamicBatcher::inFlight);
        this.scheduler = new Thread(this::schedule, "spillway-batcher-" + model);
        scheduler.setDaemon(true);
        scheduler.start();
    }

    /** Waits for this request's own outcome; an interrupt (drain) cancels it and frees its place in the engine. */
    @Override
    public Generation generate(ChatCompletionRequest request) throws UpstreamException {
        return generate(request, null);
    }

    /** As {@link #generate(ChatCompletionRequest)}, the engine telling the answer to {@code chunks} as it comes. */
    @Override
    public Generation generate(ChatCompletionRequest request, ChunkSink chunks) throws UpstreamException {
        CompletableFuture<Generation> outcome = submit(request, chunks);
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            outcome.cancel(true);
            Thread.currentThread().interrupt();
            throw UpstreamException.retryable("engine_interrupted", "generation was interrupted", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpstreamException failure) {
                throw failure;
            }
            throw new IllegalStateException("engine failed unexpectedly", e.getCause());
        }
    }

    /**
     * Queues a request for the next batch. The outcome fails with an {@link UpstreamException}; cancelling it drops
     * the request if it is still waiting, or stops its sequence in the engine.
     */
    public CompletableFuture<Generation> submit(ChatCompletionRequest request) {
        return submit(request, null);
    }

    /** As {@link #submit(ChatCompletionRequest)}, for a request whose answer streams to {@code chunks} (or null). */
    public CompletableFuture<Generation> submit(ChatCompletionRequest request, ChunkSink chunks) {
        Pending entry = new Pending(request, chunks, estimatedTokens(request), System.nanoTime());
        lock.lock();
        try {
            if (closed) {
                entry.completeExceptionally(UpstreamException.retryable("engine_closed",
                        "the engine of " + model + " is shut down", null, null));
                return entry;
            }
            pending.addLast(entry);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return entry;
    }

    /** Prompt characters / 4 plus the completion limit: enough to keep a batch within the engine's memory. */
    private int estimatedTokens(ChatCompletionRequest request) {
        int promptChars = 0;
        for (ChatMessage message : request.messages()) {
            promptChars += message.content() == null ? 0 : message.content().length();
        }
        int completion = request.maxTokens() != null ? request.maxTokens() : policy.defaultMaxTokens();
        return promptChars / CHARS_PER_TOKEN + completion;
    }

    private void schedule() {
        lock.lock();
        try {
            while (!closed) {
                pending.removeIf(CompletableFuture::isDone); // cancelled while waiting
                if (pending.isEmpty()) {
                    changed.await();
                    continue;
                }
                int free = capacity.limit() - inFlight;
                if (free <= 0) {
                    changed.awaitNanos(FULL_ENGINE_RECHECK_NANOS);
                    continue;
                }
                int target = Math.min(policy.maxBatchSize(), free);
                List<Pending> batch = candidates(target);
                boolean full = batch.size() == target || batch.size() < pending.size();
                long waitLeft = pending.peekFirst().arrivedNanos + policy.maxWait().toNanos() - System.nanoTime();
                if (!full && waitLeft > 0) {
                    changed.awaitNanos(waitLeft);
                    continue;
                }
                pending.removeAll(batch);
                inFlight += batch.size();
                lock.unlock();
                try {
                    dispatch(batch);
                } finally {
                    lock.lock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest waiting requests, in order, up to {@code target} and the token budget (the first always fits). */
    private List<Pending> candidates(int target) {
        List<Pending> batch = new ArrayList<>(target);
        int tokens = 0;
        for (Pending entry : pending) {
            if (batch.size() == target || (!batch.isEmpty() && tokens + entry.tokens > policy.maxBatchTokens())) {
                break;
            }
            batch.add(entry);
            tokens += entry.tokens;
        }
        return batch;
    }

    private void dispatch(List<Pending> batch) {
        metrics.batchStarted(model, batch.size());
        List<ChatCompletionRequest> requests = batch.stream().map(entry -> entry.request).toList();
        List<ChunkSink> sinks = batch.stream().map(entry -> entry.chunks).toList();
        long started = System.nanoTime();
        List<CompletableFuture<Generation>> outcomes;
        try {
            outcomes = engine.generateBatch(requests, sinks, sequences);
        } catch (RuntimeException e) {
            LOG.errorf(e, "the %s engine refused a batch of %d", model, batch.size());
            UpstreamException failure = new UpstreamException("engine failed: " + e, false, "engine_error", null, e);
            outcomes = Collections.nCopies(batch.size(), CompletableFuture.failedFuture(failure));
        }
        for (int i = 0; i < batch.size(); i++) {
            Pending entry = batch.get(i);
            CompletableFuture<Generation> outcome = outcomes.get(i);
            entry.startedAs(outcome);
            outcome.whenComplete((generation, failure) -> finished(entry, generation, failure, started));
        }
    }

    private void finished(Pending entry, Generation generation, Throwable failure, long startedNanos) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        try {
            if (!(cause instanceof CancellationException)) {
                capacity.onCallFinished(took, generation == null ? 0 : generation.completionTokens(),
                        cause instanceof UpstreamException engineFailure ? engineFailure : null);
            }
        } finally {
            lock.lock();
            try {
                inFlight--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (cause == null) {
            entry.complete(generation);
        } else if (cause instanceof UpstreamException) {
            entry.completeExceptionally(cause);
        } else if (!(cause instanceof CancellationException)) {
            entry.completeExceptionally(new UpstreamException("engine failed: " + cause, false, "engine_error", null,
                    cause));
        }
    }

    /** Requests the engine may have in flight now (the capacity's current limit). */
    public int inFlightLimit() {
        return capacity.limit();
    }

    /** Requests started in the engine and not yet finished. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting for a batch. */
    public int waiting() {
        lock.lock();
        try {
            return (int) pending.stream().filter(entry -> !entry.isDone()).count();
        } finally {
            lock.unlock();
        }
    }

    /** Fails what still waits, stops the scheduler, then closes the capacity's probes and the engine. */
    @Override
    public void close() {
        List<Pending> abandoned;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            abandoned = new ArrayList<>(pending);
            pending.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        abandoned.forEach(entry -> entry.completeExceptionally(
                UpstreamException.retryable("engine_closed", "the engine of " + model + " is shut down", null, null)));
        scheduler.interrupt();
        sequences.shutdownNow();
        capacity.close();
        engine.close();
    }

    /** One submitted request: its outcome, and its sequence in the engine once started. */
    private static final class Pending extends CompletableFuture<Generation> {

        final ChatCompletionRequest request;
        final ChunkSink chunks;
        final int tokens;
        final long arrivedNanos;
        private volatile CompletableFuture<Generation> inEngine;

        Pending(ChatCompletionRequest request, ChunkSink chunks, int tokens, long arrivedNanos) {
            this.request = request;
            this.chunks = chunks;
            this.tokens = tokens;
            this.arrivedNanos = arrivedNanos;
        }

        void startedAs(CompletableFuture<Generation> sequence) {
            inEngine = sequence;
            if (isCancelled()) { // cancelled between being taken into the batch and starting
                sequence.cancel(true);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            CompletableFuture<Generation> sequence = inEngine;
            if (cancelled && sequence != null) {
                sequence.cancel(true);
            }
            return cancelled;
        }
    }
}
