package dev.spillway.core.forecast.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import dev.spillway.core.forecast.ArrivalCounter;
import dev.spillway.core.forecast.Series;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/**
 * One Redis counter per series and interval, {@code spillway:arrivals:<interval start, epoch s>:<fleet>#<tier>}: an
 * admission costs one {@code INCR} (and an {@code EXPIRE} when it opens the counter), and the counts of a fleet's
 * interval spread over one key per tier instead of one hot key. They expire once the scheduler can no longer want them.
 */
@ApplicationScoped
public class RedisArrivalCounter implements ArrivalCounter {

    private final ValueCommands<String, Long> counters;
    private final KeyCommands<String> keys;

    public RedisArrivalCounter(RedisDataSource redis) {
        this.counters = redis.value(Long.class);
        this.keys = redis.key(String.class);
    }

    static String key(Series series, Instant intervalStart) {
        return "spillway:arrivals:" + intervalStart.getEpochSecond() + ":" + series.id();
    }

    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public void increment(Series series, Instant intervalStart, Duration keep) {
        String key = key(series, intervalStart);
        if (counters.incr(key) == 1) {
            keys.expire(key, Math.max(1, keep.toSeconds()));
        }
    }

    @Override
    @ApplyGuard(DownstreamGuards.REDIS)
    public Map<Series, Long> read(List<Series> series, Instant intervalStart) {
        Map<Series, Long> counts = new LinkedHashMap<>();
        if (series.isEmpty()) {
            return counts;
        }
        Map<String, Long> values = counters.mget(series.stream().map(s -> key(s, intervalStart)).toArray(String[]::new));
        for (Series one : series) {
            Long value = values.get(key(one, intervalStart));
            counts.put(one, value == null ? 0L : value);
        }
        return counts;
    }
}
