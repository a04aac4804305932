package dev.spillway.core.fault;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The fault-tolerance policy around the intake's SQS sends. */
@ConfigMapping(prefix = "spillway.sqs")
public interface SqsGuardConfig {

    /** Longest a send may take before it counts as failed. */
    @WithDefault("PT3S")
    Duration timeout();

    /**
     * Retries of a failed send. Safe: a duplicate message is harmless because workers claim jobs with a conditional
     * write.
     */
    @WithDefault("2")
    int maxRetries();

    /** Delay before the first retry; it doubles per retry, with jitter. */
    @WithDefault("PT0.1S")
    Duration retryDelay();

    /** Sends in the circuit breaker's rolling window. */
    @WithDefault("10")
    int breakerWindow();

    /** Share of failed sends in the window that opens the breaker. */
    @WithDefault("0.5")
    double breakerFailureRatio();

    /** How long an open breaker refuses requests (503 with this as {@code Retry-After}) before trying SQS again. */
    @WithDefault("PT5S")
    Duration breakerDelay();
}
