package dev.spillway.capacity.sim;

import java.time.Duration;

/**
 * Prompt identity, for a cache hit rate that comes from the workload rather than a fixed share: each request belongs
 * to one of {@code tenants} (uniformly) and, when deterministic (temperature 0 or a fixed seed: the only cacheable
 * ones), asks one of its tenant's {@code promptsPerTenant} prompts with Zipf popularity. A result is cached for
 * {@code ttl} from when it is written; a request for a cached, unexpired prompt is a hit.
 *
 * <p>Warm-up, when {@code warmUpJobsPerHour} is above 0 and the policy asks for it: every {@code warmUpEvery}, each
 * tenant's {@code topK} most requested prompts (a Count-Min sketch with a top-k per tenant, so a tenant's hot set is
 * made of its own requests) whose entry is missing or expires before the next check are re-run as batch-tier jobs,
 * at most {@code warmUpJobsPerHour} in each clock hour over all tenants.
 *
 * @param tenants            API keys sending the workload
 * @param promptsPerTenant   distinct deterministic prompts each tenant asks
 * @param zipfExponent       popularity skew of the prompts (1: the second is asked half as often as the first)
 * @param deterministicShare share of requests that are cacheable
 * @param ttl                how long a cache entry lives
 * @param warmUpJobsPerHour  budget of warm-up jobs, 0 for none
 * @param warmUpEvery        how often the hot set is checked
 * @param topK               hot prompts tracked per tenant
 */
public record CacheModel(int tenants, int promptsPerTenant, double zipfExponent, double deterministicShare,
                         Duration ttl, int warmUpJobsPerHour, Duration warmUpEvery, int topK) {

    public CacheModel {
        if (tenants < 1 || promptsPerTenant < 1 || !(zipfExponent > 0) || !(deterministicShare >= 0
                && deterministicShare <= 1) || ttl.isNegative() || warmUpJobsPerHour < 0
                || warmUpEvery.toSeconds() < 60 || topK < 1) {
            throw new IllegalArgumentException("a cache model needs tenants, prompts and top-k of at least 1, a "
                    + "positive Zipf exponent, a deterministic share within [0, 1], a TTL and warm-up budget of at "
                    + "least 0 and a warm-up check of at least a minute");
        }
    }

    /**
     * 20 tenants of 2,000 prompts each, Zipf 1.0, half the requests deterministic, a 1-hour TTL, warm-up of the
     * 50 hottest per tenant every 5 minutes within 150 jobs an hour. The TTL is shorter than Redis's default
     * ({@code spillway.cache.l2-ttl}, 24 h), as for answers that must stay current: with 24 h a day's hot set hardly
     * expires within the day, and there is little to warm.
     */
    public static CacheModel defaults() {
        return new CacheModel(20, 2000, 1.0, 0.5, Duration.ofHours(1), 150, Duration.ofMinutes(5), 50);
    }

    public CacheModel withWarmUpJobsPerHour(final int value) {
        return new CacheModel(tenants, promptsPerTenant, zipfExponent, deterministicShare, ttl, value, warmUpEvery,
                topK);
    }
}
