package dev.spillway.core.cache.warmup;

/** A warm-up candidate: a tenant's cache key and the sketch's estimate of how often it was asked. */
public record HotPrompt(String cacheKey, long estimate) {
}
