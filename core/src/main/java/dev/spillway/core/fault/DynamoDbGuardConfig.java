package dev.spillway.core.fault;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The fault-tolerance policy around the intake's job-store writes. No retry of its own: a create is a conditional
 * put, so a retry after a write that landed but timed out would be refused as a duplicate; the AWS SDK already
 * retries throttling inside one call.
 */
@ConfigMapping(prefix = "spillway.dynamodb")
public interface DynamoDbGuardConfig {

    /** Longest a write may take before it counts as failed. */
    @WithDefault("PT3S")
    Duration timeout();

    /** Writes in the circuit breaker's rolling window. */
    @WithDefault("10")
    int breakerWindow();

    /** Share of failed writes in the window that opens the breaker. */
    @WithDefault("0.5")
    double breakerFailureRatio();

    /** How long an open breaker refuses requests (503 with this as {@code Retry-After}) before trying DynamoDB again. */
    @WithDefault("PT5S")
    Duration breakerDelay();
}
