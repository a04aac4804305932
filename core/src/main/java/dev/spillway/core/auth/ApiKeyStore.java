package dev.spillway.core.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where hashed API keys live. */
public interface ApiKeyStore {

    void put(ApiKey key);

    Optional<ApiKey> find(String keyHash);

    /**
     * Revokes the one key whose hash starts with {@code keyIdOrHash} (a key id or the full hash).
     *
     * @return the revoked key; empty when none or more than one key matches
     */
    Optional<ApiKey> revoke(String keyIdOrHash, Instant now);

    /**
     * Turns warm-up on (with its budget) or off for the one key whose hash starts with {@code keyIdOrHash}.
     *
     * @return the key as it is now; empty when none or more than one key matches
     */
    Optional<ApiKey> setWarmUp(String keyIdOrHash, WarmUp warmUp);

    /** Keys of a tenant, or of every tenant when {@code tenant} is null. */
    List<ApiKey> list(String tenant);
}
