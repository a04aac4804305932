package dev.spillway.backend.worker;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a GPU-backend worker consumes the tier queues. */
@ConfigMapping(prefix = "spillway.worker")
public interface WorkerConfig {

    /** Start polling at startup; off leaves an idle process (e.g. for maintenance). */
    @WithDefault("true")
    boolean enabled();

    /** Identity written as the lease owner; defaults to host name, process id and a random suffix. */
    Optional<String> id();

    /**
     * Jobs run at once: what feeds the batchers, so keep it at least {@code spillway.batching.max-batch-size} and
     * the engines' capacity (llama.cpp slots, {@code spillway.batching.adaptive.max}).
     */
    @WithDefault("16")
    int concurrency();

    /**
     * The tiers it takes jobs from, by wire name, in any order (priority and aging still apply among them). All by
     * default; a worker on Spot capacity takes {@code batch} only, so interactive work never lands where it can be
     * interrupted.
     */
    @WithDefault("interactive,standard,batch")
    List<String> tiers();

    /**
     * Longest long-poll wait on the interactive queue when every queue is empty (SQS allows 20 s): the first wait
     * is 1 s and each empty one doubles the next, so an idle worker costs next to nothing while lower tiers, right
     * after work, are picked up within a second or two.
     */
    @WithDefault("PT20S")
    Duration pollWait();

    /**
     * Aging: a tier not polled for this long is polled first, so lower tiers progress (one receive of up to the
     * free slots per limit) even while higher tiers keep the worker busy.
     */
    @WithDefault("PT10S")
    Duration tierStarvationLimit();

    /** Visibility timeout set on received messages and renewed by heartbeats. */
    @WithDefault("PT60S")
    Duration visibilityTimeout();

    /** Lease taken on a claimed job and renewed by heartbeats; a dead worker's job is reclaimable after it. */
    @WithDefault("PT60S")
    Duration lease();

    /** How often a running job's message visibility and lease are extended. */
    @WithDefault("PT20S")
    Duration heartbeatInterval();

    /** First delay before a job that failed with a retryable error is delivered again; doubles per attempt. */
    @WithDefault("PT2S")
    Duration retryBackoff();

    /** Longest delay between retries. */
    @WithDefault("PT60S")
    Duration retryBackoffMax();

    /** How often the dead-letter queues are swept for jobs to mark FAILED. */
    @WithDefault("PT10S")
    Duration deadLetterSweepInterval();

    /** On SIGTERM, how long running jobs may take to finish before they are released to other workers. */
    @WithDefault("PT20S")
    Duration drainGrace();

    /**
     * Set ECS task scale-in protection while this worker holds jobs, so that scaling in stops an idle task rather
     * than one mid-generation. Needs the ECS agent ({@link #ecsAgentUri()}).
     */
    @WithDefault("false")
    boolean scaleInProtection();

    /** How long each protection lasts unless renewed (renewed while jobs are held, cleared when none are). */
    @WithDefault("PT60M")
    Duration scaleInProtectionExpiry();

    /** The ECS agent's endpoint, {@code ECS_AGENT_URI} on ECS; absent elsewhere. */
    Optional<URI> ecsAgentUri();

    /** The circuit breaker in front of each model's engine. */
    EngineBreaker engineBreaker();

    interface EngineBreaker {

        /** Engine calls the breaker judges over. */
        @WithDefault("10")
        int window();

        /** Share of retryable failures in the window that opens it. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long an open breaker rests the engine (and, when every engine rests, the polling). */
        @WithDefault("PT30S")
        Duration delay();
    }
}
