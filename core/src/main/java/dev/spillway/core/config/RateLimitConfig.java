package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How an intake instance spends API keys' rate limits, whose buckets live in Redis: it leases a block of each bucket
 * and spends it locally, so most requests make no Redis call.
 */
@ConfigMapping(prefix = "spillway.rate-limit")
public interface RateLimitConfig {

    /**
     * Share of a key's per-minute limits leased at once (at least one request, or the request's tokens). 0 leases
     * exactly each request's cost: one Redis call per request.
     */
    @WithDefault("0.01")
    double lease();

    /** How long a lease may be spent; after it, the instance returns what is left with its next lease. */
    @WithDefault("PT1S")
    Duration leaseTtl();
}
