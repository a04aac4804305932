package dev.spillway.core.auth;

import dev.spillway.core.job.Tier;

/**
 * Who is calling: the tenant their jobs and cache entries belong to, the tier their work runs on, and the key
 * that says what they may do (null when authentication is off).
 */
public record Caller(String tenant, Tier tier, ApiKey key) {

    public static Caller anonymous(String tenant) {
        return new Caller(tenant, Tier.INTERACTIVE, null);
    }

    /** Whether this caller's requests spend from rate limits (its key sets requests or tokens per minute). */
    public boolean isRateLimited() {
        return key != null && (key.requestsPerMinute() > 0 || key.tokensPerMinute() > 0);
    }

    public boolean allows(String model) {
        return key == null || key.allows(model);
    }

    /** The tier for work of {@code requested} priority: never above what the key grants. */
    public Tier tierFor(Tier requested) {
        return requested.ordinal() >= tier.ordinal() ? requested : tier;
    }
}
