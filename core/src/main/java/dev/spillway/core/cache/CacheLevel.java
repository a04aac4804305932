package dev.spillway.core.cache;

/** Which level answered a lookup; shown to clients in the {@code X-Spillway-Cache} header. */
public enum CacheLevel {
    L1, L2
}
