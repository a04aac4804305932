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
import dev.spillway.core.auth.redis.RedisRateBuckets.Amounts;
import dev.spillway.core.auth.redis.RedisRateBuckets.Grant;
import dev.spillway.core.config.RateLimitConfig;

/**
 * Requests and tokens per minute per API key: token buckets in Redis, shared by every intake instance. An instance
 * leases a block of a key's buckets ({@code spillway.rate-limit.lease}, 1% of the per-minute limits by default) and
 * spends it locally, so most requests make no Redis call; after {@code lease-ttl} what is left goes back to Redis
 * with the next lease. The shared limit is never exceeded (tokens leave Redis before they are spent), but it may be
 * reached early by up to one lease per instance: a block leased by one instance and not yet spent is not available
 * to the others. When the block no longer fits, a lease takes exactly what the request needs, so near the limit the
 * buckets behave as if there were no leases. When Redis is unreachable each instance enforces the same limits on its
 * own, so a Redis outage loosens the limits (by the number of instances) but never turns them off and never fails a
 * request.
 */
@ApplicationScoped
public class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final RedisRateBuckets redis;
    private final RateLimitConfig config;
    private final Clock clock;
    private final Cache<String, Lease> leases = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5)).build();
    private final Cache<String, LocalBuckets> local = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5)).build();

    public RateLimiter(RedisRateBuckets redis, RateLimitConfig config, Clock clock) {
        this.redis = redis;
        this.config = config;
        this.clock = clock;
    }

    /** Takes one request and {@code estimatedTokens} from the caller's buckets, or refuses with 429. */
    public void acquire(Caller caller, int estimatedTokens) {
        ApiKey key = caller.key();
        if (key == null || (key.requestsPerMinute() <= 0 && key.tokensPerMinute() <= 0)) {
            return;
        }
        int rpm = Math.max(0, key.requestsPerMinute());
        int tpm = Math.max(0, key.tokensPerMinute());
        // A request costing more tokens than a whole minute holds is charged the whole minute, as before leasing.
        Amounts need = new Amounts(rpm > 0 ? 1 : 0, tpm > 0 ? Math.min(estimatedTokens, tpm) : 0);
        Lease lease = leases.get(key.keyHash(), hash -> new Lease());
        long now = clock.millis();
        if (lease.spend(need, now)) {
            return;
        }
        long waitMillis;
        Amounts returned = lease.takeLeftover();
        try {
            Grant grant = redis.lease(List.of("spillway:rl:" + key.keyHash() + ":req",
                    "spillway:rl:" + key.keyHash() + ":tok"), rpm, tpm, returned, block(rpm, tpm, need), need);
            waitMillis = grant.waitMillis();
            if (waitMillis == 0) {
                lease.add(grant.requests() - need.requests(), grant.tokens() - need.tokens(),
                        now + config.leaseTtl().toMillis());
            }
        } catch (RuntimeException e) {
            LOG.debugf("rate limiting locally, Redis unavailable: %s", e.toString());
            waitMillis = local.get(key.keyHash(), h -> new LocalBuckets())
                    .take(rpm, tpm, estimatedTokens, clock.millis());
        }
        if (waitMillis > 0) {
            long seconds = Math.max(1, (waitMillis + 999) / 1000);
            throw new ApiException(429, "rate_limit_error", "rate_limit_exceeded", null,
                    "Rate limit reached for this API key (" + limits(key) + "). Retry in " + seconds + " s.",
                    Duration.ofSeconds(seconds));
        }
    }

    /** What to lease: the configured share of each per-minute limit, at least what the request needs. */
    private Amounts block(int rpm, int tpm, Amounts need) {
        long requests = Math.min(rpm, Math.max(need.requests(), (long) (rpm * config.lease())));
        long tokens = Math.min(tpm, Math.max(need.tokens(), (long) (tpm * config.lease())));
        return new Amounts(requests, tokens);
    }

    /** What this instance leased of one key's buckets and has not spent yet. */
    static final class Lease {
        private long requests;
        private long tokens;
        private long expiresAt;

        /** Spends {@code need} from the lease if it is still valid and holds it. */
        synchronized boolean spend(Amounts need, long now) {
            if (now >= expiresAt || requests < need.requests() || tokens < need.tokens()) {
                return false;
            }
            requests -= need.requests();
            tokens -= need.tokens();
            return true;
        }

        /** Empties the lease: what was left goes back to Redis with the next lease, by exactly one caller. */
        synchronized Amounts takeLeftover() {
            Amounts left = new Amounts(requests, tokens);
            requests = 0;
            tokens = 0;
            return left;
        }

        synchronized void add(long moreRequests, long moreTokens, long until) {
            requests += moreRequests;
            tokens += moreTokens;
            expiresAt = Math.max(expiresAt, until);
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
