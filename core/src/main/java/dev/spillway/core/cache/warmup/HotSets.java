package dev.spillway.core.cache.warmup;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where each opted-in tenant's hot set lives, shared by every intake instance and the scheduler: the counts of its
 * cacheable requests (a Count-Min sketch), its most requested prompts with their bodies, and its warm-up budget.
 */
public interface HotSets {

    /** Counts one request of {@code tenant} for {@code cacheKey}; returns its estimate now. */
    long record(String tenant, String cacheKey, String body, Instant now);

    /** The tenant's candidates, most requested first. */
    List<HotPrompt> top(String tenant);

    /** The request body kept for a top-k candidate. */
    Optional<String> body(String tenant, String cacheKey);

    /** Tenants with a request recorded since {@code activeSince}. */
    List<String> tenants(Instant activeSince);

    /** Drops everything recorded for the tenant (it no longer opts in). */
    void forget(String tenant);

    /** Halves the tenant's counts unless already done in {@code period}; returns whether this call did. */
    boolean decay(String tenant, long period, long periodSeconds);

    /** Spends one warm-up job of the tenant's budget for {@code hour}; false when the budget is spent. */
    boolean spend(String tenant, long hour, int jobsPerHour);

    /** Gives back a job spent for a warm-up that was not admitted. */
    void refund(String tenant, long hour);

    /** Warm-up jobs spent in {@code hour}. */
    int spent(String tenant, long hour);
}
