package dev.spillway.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.upstream.UpstreamException;

/**
 * A SIMULATION of a GPU engine with continuous batching, not a model: a step loop where every active sequence
 * gains one token per step and each step costs {@code fixed + perSequence x active} (a GPU decode step is
 * bound by reading the weights once, plus a little per sequence). Sequences join at step boundaries, up to
 * {@code slots} at once, and leave when they reach their {@code max_tokens}. Its answer names its own prompt, so
 * the benchmark can check every request got its own.
 */
final class SimulatedGpuEngine implements InferenceEngine {

    private final long fixedNanos;
    private final long perSequenceNanos;
    private final int slots;
    private final ConcurrentLinkedQueue<Sequence> joining = new ConcurrentLinkedQueue<>();
    private final Thread stepLoop;
    private volatile boolean running = true;

    SimulatedGpuEngine(double fixedMillis, double perSequenceMillis, int slots) {
        this.fixedNanos = (long) (fixedMillis * 1_000_000);
        this.perSequenceNanos = (long) (perSequenceMillis * 1_000_000);
        this.slots = slots;
        this.stepLoop = new Thread(this::steps, "simulated-gpu");
        stepLoop.setDaemon(true);
        stepLoop.start();
    }

    private static final class Sequence extends CompletableFuture<Generation> {
        final ChatCompletionRequest request;
        final int limit;
        int generated;

        Sequence(ChatCompletionRequest request) {
            this.request = request;
            this.limit = request.maxTokens() == null ? 16 : request.maxTokens();
        }
    }

    private void steps() {
        List<Sequence> active = new ArrayList<>();
        while (running) {
            while (active.size() < slots && !joining.isEmpty()) {
                active.add(joining.poll());
            }
            active.removeIf(CompletableFuture::isDone); // cancelled
            if (active.isEmpty()) {
                LockSupport.parkNanos(200_000);
                continue;
            }
            sleepPrecisely(fixedNanos + perSequenceNanos * active.size());
            for (Iterator<Sequence> it = active.iterator(); it.hasNext();) {
                Sequence sequence = it.next();
                if (++sequence.generated >= sequence.limit) {
                    String prompt = sequence.request.messages().get(sequence.request.messages().size() - 1).content();
                    sequence.complete(new Generation("simulated answer to: " + prompt, "length", prompt.length() / 4,
                            sequence.generated));
                    it.remove();
                }
            }
        }
    }

    /** parkNanos overshoots by up to a scheduler tick; spinning out the last stretch keeps step costs honest. */
    private static void sleepPrecisely(long nanos) {
        long end = System.nanoTime() + nanos;
        long remaining;
        while ((remaining = end - System.nanoTime()) > 1_000_000) {
            LockSupport.parkNanos(remaining - 1_000_000);
        }
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Override
    public Generation generate(ChatCompletionRequest request) throws UpstreamException {
        try {
            return generateBatch(List.of(request), Runnable::run).get(0).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UpstreamException.retryable("engine_interrupted", "interrupted", null, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Queues every sequence to join at the next step boundary; no thread per sequence is needed. */
    @Override
    public List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests, Executor unused) {
        List<CompletableFuture<Generation>> outcomes = new ArrayList<>(requests.size());
        for (ChatCompletionRequest request : requests) {
            Sequence sequence = new Sequence(request);
            joining.add(sequence);
            outcomes.add(sequence);
        }
        return outcomes;
    }

    @Override
    public void close() {
        running = false;
        stepLoop.interrupt();
    }
}
