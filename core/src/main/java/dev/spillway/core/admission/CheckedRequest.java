package dev.spillway.core.admission;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Tier;

/**
 * A request that passed every check: parsed, allowed for its caller, within its rate limits.
 *
 * @param tier the tier it runs at, after the caller's key capped it
 * @param cachePolicy the caller's policy; never read from the cache when the request names a callback
 * @param callbackUrl the checked callback URL, or null
 * @param cacheKey the request's cache key when it may be cached at all, else null
 */
public record CheckedRequest(IntakeRequest source, ChatCompletionRequest request, Tier tier, CachePolicy cachePolicy,
        String callbackUrl, String cacheKey) {

    public Caller caller() {
        return source.caller();
    }

    public String idempotencyKey() {
        return source.idempotencyKey();
    }

    /** A cache key the answer may be read under. */
    public boolean readsCache() {
        return cacheKey != null && cachePolicy.read();
    }

    /** The cache key the answer is stored under, or null. */
    public String writeKey() {
        return cachePolicy.write() ? cacheKey : null;
    }
}
