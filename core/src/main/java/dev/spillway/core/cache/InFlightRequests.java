package dev.spillway.core.cache;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;
import io.vertx.mutiny.redis.client.Response;

/**
 * Single flight on the cache key: the first cacheable request records its job under the key; identical
 * requests arriving while it runs find that job and attach to it instead of creating work.
 */
@ApplicationScoped
public class InFlightRequests {

    private static final String PREFIX = "spillway:inflight:";
    /**
     * Set-if-absent that returns the value already there, atomically. A script rather than {@code SET NX GET},
     * which Redis accepts only from 7.0 on (the bundled redis-server is 6.2, as are older ElastiCache engines).
     */
    private static final String CLAIM = """
            local earlier = redis.call('GET', KEYS[1])
            if earlier then
              return earlier
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return false
            """;

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;

    public InFlightRequests(RedisDataSource redis) {
        this.redis = redis;
        this.values = redis.value(String.class);
    }

    /** Records {@code jobId} under the key unless a job is already there; returns that earlier job's id. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> claim(String cacheKey, String jobId, Duration ttl) {
        Response earlier = redis.execute("EVAL", CLAIM, "1", PREFIX + cacheKey, jobId,
                Long.toString(Math.max(1, ttl.toMillis())));
        return Optional.ofNullable(earlier).map(Response::toString);
    }

    /** Points the key at a new job when the recorded one can no longer answer (failed, cancelled, gone). */
    @ApplyGuard(DownstreamGuards.REDIS)
    public void replace(String cacheKey, String jobId, Duration ttl) {
        values.set(PREFIX + cacheKey, jobId, new SetArgs().px(ttl));
    }
}
