package dev.spillway.core.fault;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The fault-tolerance policy around every Redis call (cache, notices, rate limits, coalescing). */
@ConfigMapping(prefix = "spillway.redis")
public interface RedisGuardConfig {

    /** Longest a Redis call may take before it counts as failed and the caller goes on without Redis. */
    @WithDefault("PT0.5S")
    Duration timeout();

    /** Calls in the circuit breaker's rolling window. */
    @WithDefault("4")
    int breakerWindow();

    /** Share of failed calls in the window that opens the breaker. */
    @WithDefault("0.5")
    double breakerFailureRatio();

    /** How long an open breaker skips Redis before trying it again. */
    @WithDefault("PT5S")
    Duration breakerDelay();
}
