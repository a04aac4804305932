package dev.spillway.core.cache.redis;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/** The L2 cache level: completions as JSON strings in Redis, guarded so that a dead Redis fails fast. */
@ApplicationScoped
public class RedisResultStore {

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;

    public RedisResultStore(RedisDataSource redis) {
        this.redis = redis;
        this.values = redis.value(String.class);
    }

    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @ApplyGuard(DownstreamGuards.REDIS)
    public void put(String key, String completionJson, Duration ttl) {
        values.setex(key, Math.max(1, ttl.toSeconds()), completionJson);
    }

    /** How long the entry has left: zero when there is none, empty when it never expires. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public Optional<Duration> timeToLive(String key) {
        long millis = redis.execute("PTTL", key).toLong();
        if (millis == -1) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.max(0, millis)));
    }
}
