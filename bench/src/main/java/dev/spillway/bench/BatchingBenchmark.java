package dev.spillway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.spillway.backend.batching.BatchPolicy;
import dev.spillway.backend.batching.DynamicBatcher;
import dev.spillway.backend.batching.EngineCapacity;
import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppSettings;
import dev.spillway.backend.engine.llamacpp.TinyRandomGguf;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.UpstreamException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Batching gain: GPU-backend throughput with dynamic batching next to batch size 1, same engine, same workload,
 * in the same run. It drives the worker's own batcher and engines in process (no queue), with every request of
 * the workload submitted at once, as a worker whose slots are all busy does. Two engines:
 * <ul>
 * <li>the embedded llama.cpp engine on the generated tiny random-weight GGUF, on this machine's CPU: batching
 * here is bounded by the CPU (DESIGN: about 1.3-1.85x measured, ceiling about 4x);</li>
 * <li>a SIMULATED GPU engine whose step costs a fixed time plus a small time per sequence, labelled as such: it
 * shows the scheduler keeps batches as full as a GPU needs.</li>
 * </ul>
 */
public final class BatchingBenchmark implements Benchmark {

    private static final String MODEL = "bench";

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int requests = options.integer("requests", 32, 8);
        int maxTokens = options.integer("max-tokens", 64, 8);
        int rounds = options.integer("rounds", 3, 1);
        int batchSize = options.integer("batch-size", 8, 4);
        int threads = options.integer("threads", 2, 2);
        int simulatedRequests = options.integer("simulated-requests", 64, 16);
        int simulatedBatchSize = options.integer("simulated-batch-size", 32, 8);
        double stepMillis = 10;
        double perSequenceMillis = 0.25;

        Path gguf = TinyRandomGguf.writeIfAbsent(Files.createTempDirectory("spillway-bench").resolve("tiny.gguf"));
        boolean answeredAll;
        // One model load for both configurations (llama.cpp does not free a closed model's memory): batch size 1
        // uses one of its slots, dynamic batching all of them.
        try (LlamaCppEngine llama = new LlamaCppEngine(new LlamaCppSettings(gguf, batchSize, 256, threads, maxTokens))) {
            List<ChatCompletionRequest> workload = workload(requests, maxTokens, "llama");
            run(llama, 1, 1, workload(Math.min(4, requests), maxTokens, "warm-up")); // loads and warms the caches
            Result single = Result.NONE;
            Result batched = Result.NONE;
            // Alternating rounds share out the load of a busy machine fairly between the two configurations.
            for (int round = 0; round < rounds; round++) {
                single = single.plus(run(llama, 1, 1, workload));
                batched = batched.plus(run(llama, batchSize, batchSize, workload));
            }
            Table table = new Table("Batching gain: embedded llama.cpp, tiny random-weight GGUF, CPU (" + threads
                    + " threads), " + rounds + " rounds x " + requests + " requests x " + maxTokens + " tokens",
                    "path", "requests",
                    "failed", "completions/s", "tokens/s", "mean batch size", "mean in flight", "seconds");
            single.row(table, "batch size 1 (same engine, one sequence at a time)");
            batched.row(table, "dynamic batching (max " + batchSize + ", " + batchSize + " slots)");
            table.print(System.out);
            double gain = batched.tokensPerSecond() / single.tokensPerSecond();
            printGain(batched, single);
            System.out.printf(Locale.ROOT, "%ngoal: >= 3x tokens/s on the embedded engine -> %s (%.2fx)%s%n",
                    CacheHitBenchmark.verdict(gain >= 3), gain,
                    options.quick() ? " (quick run: too few requests to judge)" : "");
            answeredAll = single.failed() == 0 && batched.failed() == 0;
        }

        try (SimulatedGpuEngine gpu = new SimulatedGpuEngine(stepMillis, perSequenceMillis, simulatedBatchSize)) {
            List<ChatCompletionRequest> workload = workload(simulatedRequests, maxTokens, "simulated");
            Result single = run(gpu, 1, 1, workload);
            Result batched = run(gpu, simulatedBatchSize, simulatedBatchSize, workload);
            Table table = new Table(String.format(Locale.ROOT, "Batching gain: SIMULATED GPU engine (a simulation, "
                    + "not hardware: step = %.2f ms + %.2f ms x sequences, %d slots), %d requests x %d tokens",
                    stepMillis, perSequenceMillis, simulatedBatchSize, simulatedRequests, maxTokens), "path",
                    "requests", "failed", "completions/s", "tokens/s", "mean batch size", "mean in flight", "seconds");
            single.row(table, "batch size 1 (simulated)");
            batched.row(table, "dynamic batching (max " + simulatedBatchSize + ", simulated)");
            table.print(System.out);
            printGain(batched, single);
            answeredAll &= single.failed() == 0 && batched.failed() == 0;
        }
        return answeredAll;
    }

    private static void printGain(Result batched, Result single) {
        Table gain = new Table("Gain (dynamic batching / batch size 1)", "measure", "value");
        gain.row("completions/s ratio", batched.completionsPerSecond() / single.completionsPerSecond());
        gain.row("tokens/s ratio", batched.tokensPerSecond() / single.tokensPerSecond());
        gain.print(System.out);
    }

    private static List<ChatCompletionRequest> workload(int requests, int maxTokens, String label) {
        List<ChatCompletionRequest> workload = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            workload.add(new ChatCompletionRequest(MODEL, List.of(ChatMessage.of("user",
                    label + " question " + i + ": how does a spillway protect a dam?")), 0.0, null, maxTokens, null,
                    null, null));
        }
        return workload;
    }

    /** Submits the whole workload at once through a fresh batcher and waits for every answer. */
    private static Result run(InferenceEngine engine, int capacity, int maxBatchSize,
            List<ChatCompletionRequest> workload) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // The engine outlives its batcher: closing the batcher would close the engine.
        DynamicBatcher batcher = new DynamicBatcher(MODEL, new Unclosed(engine), EngineCapacity.fixed(capacity),
                new BatchPolicy(maxBatchSize, 1_000_000, Duration.ofMillis(5), 16), new SpillwayMetrics(registry));
        InFlightSampler occupancy = new InFlightSampler(batcher);
        try {
            long start = System.nanoTime();
            List<CompletableFuture<Generation>> outcomes = workload.stream().map(batcher::submit).toList();
            int failed = 0;
            long tokens = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                try {
                    Generation generation = outcomes.get(i).get(10, TimeUnit.MINUTES);
                    tokens += generation.completionTokens();
                    if (generation.completionTokens() < 1 || !isOwnAnswer(engine, generation, workload.get(i))) {
                        failed++;
                    }
                } catch (ExecutionException e) {
                    System.out.println("request " + i + " failed: " + e.getCause());
                    failed++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double meanBatch = registry.get("spillway.batch.size").summary().mean();
            return new Result(workload.size(), failed, tokens, seconds, meanBatch, occupancy.mean());
        } finally {
            occupancy.stop();
            batcher.close();
        }
    }

    /** The simulation names its prompt; llama.cpp's gibberish cannot be checked beyond its token count. */
    private static boolean isOwnAnswer(InferenceEngine engine, Generation generation, ChatCompletionRequest request) {
        return !(engine instanceof SimulatedGpuEngine)
                || generation.content().equals("simulated answer to: " + request.messages().get(0).content());
    }

    /**
     * Requests in the engine, sampled every millisecond while the workload runs: with continuous batching a batch
     * joins as others decode, so this, not the size of each batch started, is how full the engine was kept.
     */
    private static final class InFlightSampler {

        private final Thread thread;
        private volatile boolean sampling = true;
        private long samples;
        private long total;

        InFlightSampler(DynamicBatcher batcher) {
            thread = new Thread(() -> {
                while (sampling) {
                    int inFlight = batcher.inFlight();
                    if (inFlight > 0) {
                        samples++;
                        total += inFlight;
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }, "in-flight-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        /** Mean over the samples when anything was in flight. */
        double mean() {
            stop();
            return samples == 0 ? 0 : (double) total / samples;
        }

        void stop() {
            sampling = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Result(int requests, int failed, long tokens, double seconds, double meanBatchSize,
            double meanInFlight) {

        static final Result NONE = new Result(0, 0, 0, 0, 0, 0);

        /** Both runs together: counts and time add up, means are weighted by requests. */
        Result plus(Result other) {
            int all = requests + other.requests;
            return new Result(all, failed + other.failed, tokens + other.tokens, seconds + other.seconds,
                    (meanBatchSize * requests + other.meanBatchSize * other.requests) / all,
                    (meanInFlight * requests + other.meanInFlight * other.requests) / all);
        }

        double completionsPerSecond() {
            return (requests - failed) / seconds;
        }

        double tokensPerSecond() {
            return tokens / seconds;
        }

        void row(Table table, String path) {
            table.row(path, requests, failed, completionsPerSecond(), tokensPerSecond(), meanBatchSize, meanInFlight, seconds);
        }
    }

    /** Lends an engine to a batcher without letting the batcher close it. */
    private record Unclosed(InferenceEngine engine) implements InferenceEngine {

        @Override
        public Generation generate(ChatCompletionRequest request) throws UpstreamException {
            return engine.generate(request);
        }

        @Override
        public List<CompletableFuture<Generation>> generateBatch(List<ChatCompletionRequest> requests,
                Executor sequences) {
            return engine.generateBatch(requests, sequences);
        }

        @Override
        public void close() {
        }
    }
}
