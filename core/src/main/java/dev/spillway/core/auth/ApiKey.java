package dev.spillway.core.auth;

import java.time.Instant;
import java.util.Set;

import dev.spillway.core.job.Tier;

/**
 * What an API key grants. Only the key's SHA-256 is stored; the key itself is shown once, at creation.
 *
 * @param models models the key may use; empty means all served models
 * @param requestsPerMinute 0 means unlimited
 * @param tokensPerMinute estimated prompt plus completion tokens; 0 means unlimited
 * @param warmUp whether the tenant's hot prompts are re-run before their cache entries expire, and how many an hour
 */
public record ApiKey(String keyHash, String tenant, Tier tier, Set<String> models, int requestsPerMinute,
        int tokensPerMinute, Instant created, Instant revoked, WarmUp warmUp) {

    public ApiKey {
        models = models == null ? Set.of() : Set.copyOf(models);
        warmUp = warmUp == null ? WarmUp.OFF : warmUp;
    }

    /** A key without warm-up. */
    public ApiKey(String keyHash, String tenant, Tier tier, Set<String> models, int requestsPerMinute,
            int tokensPerMinute, Instant created, Instant revoked) {
        this(keyHash, tenant, tier, models, requestsPerMinute, tokensPerMinute, created, revoked, WarmUp.OFF);
    }

    public ApiKey withWarmUp(WarmUp setting) {
        return new ApiKey(keyHash, tenant, tier, models, requestsPerMinute, tokensPerMinute, created, revoked, setting);
    }

    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    public boolean isRevoked() {
        return revoked != null;
    }

    /** A short, non-secret handle for listing and revoking: the first 12 hex digits of the hash. */
    public String keyId() {
        return keyHash.substring(0, 12);
    }
}
