package dev.spillway.core.cache;

import dev.spillway.core.api.ChatCompletion;

public record CacheHit(ChatCompletion completion, CacheLevel level) {
}
