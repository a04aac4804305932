package dev.spillway.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.redis.RedisRateBuckets;

/**
 * Requests and tokens per minute per API key: token buckets in Redis, shared by every intake instance. When
 * Redis is unreachable each instance enforces the same limits on its own, so a Redis outage loosens the
 * limits (by the number of instances) but never turns them off and never fails a request.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final RedisRateBuckets redis;
    private final Clock clock;
    private final Cache<String, LocalBuckets> local = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5)).build();

    public RateLimiter(RedisRateBuckets redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Takes one request and {@code estimatedTokens} from the caller's buckets, or refuses with 429. */
    public void acquire(Caller caller, int estimatedTokens) {
        ApiKey key = caller.key();
        if (key == null || (key.requestsPerMinute() <= 0 && key.tokensPerMinute() <= 0)) {
            return;
        }
        long waitMillis;
        try {
            waitMillis = redis.take(List.of("spillway:rl:" + key.keyHash() + ":req", "spillway:rl:" + key.keyHash() + ":tok"),
                    key.requestsPerMinute(), key.tokensPerMinute(), estimatedTokens);
        } catch (RuntimeException e) {
            LOG.debugf("rate limiting locally, Redis unavailable: %s", e.toString());
            waitMillis = local.get(key.keyHash(), h -> new LocalBuckets())
                    .take(key.requestsPerMinute(), key.tokensPerMinute(), estimatedTokens, clock.millis());
        }
        if (waitMillis > 0) {
            long seconds = Math.max(1, (waitMillis + 999) / 1000);
            throw new ApiException(429, "rate_limit_error", "rate_limit_exceeded", null,
                    "Rate limit reached for this API key (" + limits(key) + "). Retry in " + seconds + " s.",
                    Duration.ofSeconds(seconds));
        }
    }

    private static String limits(ApiKey key) {
        return (key.requestsPerMinute() > 0 ? key.requestsPerMinute() + " requests/min" : "")
                + (key.requestsPerMinute() > 0 && key.tokensPerMinute() > 0 ? ", " : "")
                + (key.tokensPerMinute() > 0 ? key.tokensPerMinute() + " tokens/min" : "");
    }

    /** The same two buckets as the Redis script, for one instance. */
    static final class LocalBuckets {
        private double requests = -1;
        private double tokens = -1;
        private long updated;

        synchronized long take(int rpm, int tpm, int cost, long now) {
            if (requests < 0) {
                requests = rpm;
                tokens = tpm;
                updated = now;
            }
            long elapsed = Math.max(0, now - updated);
            updated = now;
            requests = Math.min(rpm, requests + elapsed * rpm / 60_000.0);
            tokens = Math.min(tpm, tokens + elapsed * tpm / 60_000.0);
            int tokenCost = Math.min(cost, tpm);
            long wait = 0;
            if (rpm > 0 && requests < 1) {
                wait = Math.max(wait, (long) Math.ceil((1 - requests) * 60_000 / rpm));
            }
            if (tpm > 0 && tokens < tokenCost) {
                wait = Math.max(wait, (long) Math.ceil((tokenCost - tokens) * 60_000 / tpm));
            }
            if (wait > 0) {
                return wait;
            }
            if (rpm > 0) {
                requests -= 1;
            }
            if (tpm > 0) {
                tokens -= tokenCost;
            }
            return 0;
        }
    }
}
