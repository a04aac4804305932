package dev.spillway.core.cache.warmup;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Hot-set warm-up: the intake counts the cacheable requests of tenants whose API key opted in, and the scheduler
 * re-runs each tenant's most requested prompts as batch jobs before their cache entries expire. Which tenants, and
 * how many jobs an hour, is set per API key ({@code ApiKeysCli warm-up}); these keys shape the mechanism.
 */
@ConfigMapping(prefix = "spillway.warmup")
public interface WarmUpConfig {

    /** Turns recording and the warm-up task off everywhere, whatever the keys say. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The Count-Min sketch's error bound as a share of a tenant's recorded requests: an estimate is at most
     * {@code epsilon x N} above the true count (with probability {@code 1 - delta}). Width {@code ceil(e / epsilon)}.
     */
    @WithDefault("0.01")
    double epsilon();

    /** The probability that an estimate misses the bound above. Depth {@code ceil(ln(1 / delta))}. */
    @WithDefault("0.01")
    double delta();

    /** How many of a tenant's most requested prompts are kept, with their request bodies, as warm-up candidates. */
    @WithDefault("50")
    int topK();

    /** Requests with a larger body are counted in no hot set (a candidate's body is kept in Redis). */
    @WithDefault("16384")
    int maxBodyBytes();

    /** How long a tenant's hot set outlives its last recorded request; then Redis drops it. */
    @WithDefault("PT24H")
    Duration idleTtl();

    /** Every count is halved once in each such period, so the hot set follows what is asked now. */
    @WithDefault("PT1H")
    Duration decayEvery();

    /**
     * What the scheduler's tick warms: entries that expire within this horizon (or are already gone). At least the
     * tick's interval (one minute in AWS) plus a batch job's wait.
     */
    @WithDefault("PT10M")
    Duration horizon();

    /**
     * How far ahead a forecast rise counts: when a served model's fleet is forecast to need more tasks within it
     * ({@code FleetForecasts.nextRise}), the tick warms the entries that would expire before that rise plus
     * {@link #horizon()}, so that the peak meets a warm cache. Zero turns this off.
     */
    @WithDefault("PT1H")
    Duration peakLead();

    /** Requests waiting to be recorded on this instance; beyond it recording is skipped, never the request. */
    @WithDefault("1000")
    int recordQueue();

    /** Prefix of the Redis keys. */
    @WithDefault("spillway:hot:")
    String keyPrefix();
}
