package dev.spillway.core.cache.redis;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
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

    private static final String TAKE_OVER = """
            local current = redis.call('GET', KEYS[1])
            if current and current ~= ARGV[1] then
              return current
            end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return false
            """;

    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
            end
            return false
            """;

    private final RedisDataSource redis;

    public InFlightRequests(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Records {@code jobId} under the key unless a job is already there; returns that earlier job's id. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> claim(String cacheKey, String jobId, Duration ttl) {
        Response earlier = redis.execute("EVAL", CLAIM, "1", PREFIX + cacheKey, jobId,
                Long.toString(Math.max(1, ttl.toMillis())));
        return Optional.ofNullable(earlier).map(Response::toString);
    }

    /**
     * Points the key at {@code jobId} if it still names {@code expected} (whose job can no longer answer: failed,
     * cancelled, or never stored), or names nothing. Returns the job another request recorded first, if any: only
     * one of the requests that found the same dead job takes over.
     */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> takeOver(String cacheKey, String expected, String jobId, Duration ttl) {
        Response current = redis.execute("EVAL", TAKE_OVER, "1", PREFIX + cacheKey, expected, jobId,
                Long.toString(Math.max(1, ttl.toMillis())));
        return Optional.ofNullable(current).map(Response::toString);
    }

    /** Forgets {@code jobId} as the key's job (it was never admitted), unless another job has taken over since. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public void release(String cacheKey, String jobId) {
        redis.execute("EVAL", RELEASE, "1", PREFIX + cacheKey, jobId);
    }

    /** The job currently recorded under the key, if any. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> holder(String cacheKey) {
        return Optional.ofNullable(redis.execute("GET", PREFIX + cacheKey)).map(Response::toString);
    }
}
