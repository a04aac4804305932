package dev.spillway.core.cache;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/**
 * Single flight on the cache key: the first cacheable request records its job under the key; identical
 * requests arriving while it runs find that job and attach to it instead of creating work.
 */
@ApplicationScoped
public class InFlightRequests {

    private static final String PREFIX = "spillway:inflight:";
    private final ValueCommands<String, String> values;

    public InFlightRequests(RedisDataSource redis) {
        this.values = redis.value(String.class);
    }

    /** Records {@code jobId} under the key unless a job is already there; returns that earlier job's id. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> claim(String cacheKey, String jobId, Duration ttl) {
        return Optional.ofNullable(values.setGet(PREFIX + cacheKey, jobId, new SetArgs().nx().px(ttl)));
    }

    /** Points the key at a new job when the recorded one can no longer answer (failed, cancelled, gone). */
    @ApplyGuard(DownstreamGuards.REDIS)
    public void replace(String cacheKey, String jobId, Duration ttl) {
        values.set(PREFIX + cacheKey, jobId, new SetArgs().px(ttl));
    }
}
