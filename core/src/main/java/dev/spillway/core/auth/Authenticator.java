package dev.spillway.core.auth;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.config.IntakeConfig;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** Turns an {@code Authorization: Bearer} header into a {@link Caller}, or refuses it with 401. */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class);
    private static final int MAX_KEY_LENGTH = 200;

    private final AuthConfig config;
    private final ApiKeyStore store;
    private final IntakeConfig intake;
    private final LoadingCache<String, Optional<ApiKey>> recent;

    public Authenticator(AuthConfig config, ApiKeyStore store, IntakeConfig intake) {
        this.config = config;
        this.store = store;
        this.intake = intake;
        Caffeine<Object, Object> cache = Caffeine.newBuilder().maximumSize(10_000)
                .expireAfterWrite(config.keyCacheTtl());
        Duration refreshAfter = config.keyCacheTtl().dividedBy(2);
        if (!refreshAfter.isZero()) {
            // A key in use is looked up again in the background halfway through its time, so a busy instance keeps
            // answering it from memory (see authenticateFromMemory) instead of queuing a lookup behind blocking work.
            // A revocation still takes effect within key-cache-ttl: an entry not refreshed by then expires.
            cache.refreshAfterWrite(refreshAfter).executor(Infrastructure.getDefaultWorkerPool());
        }
        this.recent = cache.build(store::find);
    }

    public Caller authenticate(String authorization) {
        if (!config.enabled()) {
            return Caller.anonymous(intake.defaultTenant());
        }
        return callerOf(lookup(keyHash(authorization)));
    }

    /**
     * The caller when this instance remembers the key, without asking the key store, so it may run where blocking
     * is not allowed (an event loop). Refuses as {@link #authenticate} does; empty when only the store can tell.
     */
    public Optional<Caller> authenticateFromMemory(String authorization) {
        if (!config.enabled()) {
            return Optional.of(Caller.anonymous(intake.defaultTenant()));
        }
        Optional<ApiKey> remembered = recent.getIfPresent(keyHash(authorization));
        return remembered == null ? Optional.empty() : Optional.of(callerOf(remembered));
    }

    /** The hash the key is stored under; refuses a missing or malformed key. */
    private static String keyHash(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            throw unauthorized("missing_api_key", "You didn't provide an API key. Send it in the Authorization "
                    + "header: 'Authorization: Bearer YOUR_KEY'.");
        }
        if (key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw invalidKey();
        }
        return ApiKeys.hash(key);
    }

    private static Caller callerOf(Optional<ApiKey> found) {
        if (found.isEmpty() || found.get().isRevoked()) {
            throw invalidKey();
        }
        ApiKey apiKey = found.get();
        MDC.put("tenant", apiKey.tenant());
        return new Caller(apiKey.tenant(), apiKey.tier(), apiKey);
    }

    private Optional<ApiKey> lookup(String hash) {
        Optional<ApiKey> cached = recent.getIfPresent(hash);
        if (cached != null) {
            return cached;
        }
        try {
            Optional<ApiKey> found = store.find(hash);
            recent.put(hash, found);
            return found;
        } catch (RuntimeException e) {
            LOG.warnf("API key store unavailable: %s", e.toString());
            throw ApiException.unavailable("auth_unavailable", "Spillway could not check the API key. Retry shortly.",
                    Duration.ofSeconds(2));
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = value.substring(7).strip();
        return key.isEmpty() ? null : key;
    }

    private static ApiException invalidKey() {
        return unauthorized("invalid_api_key", "Incorrect API key provided.");
    }

    private static ApiException unauthorized(String code, String message) {
        return new ApiException(401, ApiException.INVALID_REQUEST, code, null, message, null);
    }
}
