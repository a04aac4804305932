package dev.spillway.core.cache;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.cache.redis.RedisResultStore;
import dev.spillway.core.config.CacheConfig;

/**
 * Exact-match cache of completions: L1 in this process (bounded Caffeine), L2 shared in Redis. Redis trouble
 * never fails a caller: a lookup then misses and a store keeps L1 only.
 */
@ApplicationScoped
public class ResultCache {

    private static final Logger LOG = Logger.getLogger(ResultCache.class);

    private final CacheConfig config;
    private final RedisResultStore redis;
    private final ObjectMapper json;
    private final Cache<String, ChatCompletion> local;

    public ResultCache(CacheConfig config, RedisResultStore redis, ObjectMapper json) {
        this.config = config;
        this.redis = redis;
        this.json = json;
        this.local = Caffeine.newBuilder()
                .maximumSize(config.l1MaxEntries())
                .expireAfterWrite(config.l1Ttl())
                .build();
    }

    public boolean enabled() {
        return config.enabled();
    }

    public Optional<CacheHit> get(String key) {
        Optional<CacheHit> inMemory = getLocal(key);
        if (inMemory.isPresent() || !config.enabled() || !config.l2Enabled()) {
            return inMemory;
        }
        try {
            Optional<String> stored = redis.get(config.l2KeyPrefix() + key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            ChatCompletion completion = json.readValue(stored.get(), ChatCompletion.class);
            local.put(key, completion);
            return Optional.of(new CacheHit(completion, CacheLevel.L2));
        } catch (Exception e) {
            LOG.debugf("L2 cache lookup skipped: %s", e.toString());
            return Optional.empty();
        }
    }

    /** An L1 hit only: no Redis call, so it may run where blocking is not allowed (an event loop). */
    public Optional<CacheHit> getLocal(String key) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        ChatCompletion hit = local.getIfPresent(key);
        return hit == null ? Optional.empty() : Optional.of(new CacheHit(hit, CacheLevel.L1));
    }

    /** Remembers a completion in this instance only, e.g. one a waiting request just received from its job. */
    public void putLocal(String key, ChatCompletion completion) {
        if (config.enabled()) {
            local.put(key, completion);
        }
    }

    /**
     * Shares a completion with every intake through Redis. Workers call this; they never read the cache, so
     * their own memory is left alone (an intake fills its L1 when it reads L2 or receives an answer).
     */
    public void share(String key, ChatCompletion completion) {
        if (!config.enabled() || !config.l2Enabled()) {
            return;
        }
        try {
            redis.put(config.l2KeyPrefix() + key, json.writeValueAsString(completion), config.l2Ttl());
        } catch (Exception e) {
            LOG.debugf("L2 cache store skipped: %s", e.toString());
        }
    }
}
