package dev.spillway.backend.batching;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Dynamic batching in front of every engine of the worker. The worker must run at least as many jobs at once
 * ({@code spillway.worker.concurrency}) as a batch holds, or batches never fill.
 */
@ConfigMapping(prefix = "spillway.batching")
public interface BatchingConfig {

    /** Most requests started together in one batch. */
    @WithDefault("8")
    int maxBatchSize();

    /** Most tokens (estimated prompt + max_tokens) in one batch; a single larger request still runs, alone. */
    @WithDefault("16384")
    int maxBatchTokens();

    /**
     * Longest a request waits for batch mates once the engine could take it; a full batch leaves at once. Unset, it
     * is {@link BatchPolicy#LOCKSTEP_WAIT} for {@code llamacpp}, which decodes a batch in lockstep, and zero for
     * {@code openai} servers, which batch continuously on their side (holding a request back only adds latency).
     */
    Optional<Duration> maxWait();

    /** Overrides by the model name clients send, e.g. {@code spillway.batching.model."llama3".max-batch-size}. */
    Map<String, ModelOverride> model();

    /** The adaptive in-flight limit of {@code openai} engines. */
    Adaptive adaptive();

    interface ModelOverride {

        Optional<Integer> maxBatchSize();

        Optional<Integer> maxBatchTokens();

        Optional<Duration> maxWait();
    }

    interface Adaptive {

        /** Fewest requests kept in flight to one server, however loaded it reports itself. */
        @WithDefault("1")
        int min();

        /** In-flight limit before the server has said anything about its load. */
        @WithDefault("4")
        int initial();

        /** Most requests in flight to one server; keep it no higher than {@code spillway.worker.concurrency}. */
        @WithDefault("16")
        int max();

        /** vLLM KV-cache usage (0-1) at or above which the limit shrinks; below it, with nothing waiting, it grows. */
        @WithDefault("0.9")
        double kvCacheHighWater();

        /**
         * Without server metrics: completions this many times slower than usual for their length (the median of
         * the last five) count as congestion.
         */
        @WithDefault("2.0")
        double latencyTolerance();

        /** Factor applied to the limit on congestion (a 429 or 503, a timeout, waiting requests, a full KV cache). */
        @WithDefault("0.75")
        double backoffRatio();

        /** At most one decrease per this interval, so one burst of 429s is one signal, not a collapse to the minimum. */
        @WithDefault("PT1S")
        Duration decreaseCooldown();

        /** Read {@code <base-url without /v1>/metrics} (vLLM's Prometheus endpoint) to steer the limit. */
        @WithDefault("true")
        boolean probeMetrics();

        /** How often the server's metrics are read while it answers them. */
        @WithDefault("PT1S")
        Duration probeInterval();
    }
}
