package dev.spillway.core.intake;

import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.job.Job;

/**
 * The outcome of accepting a request: answered from the cache, or a durable job.
 *
 * @param cacheStatus value of the {@code X-Spillway-Cache} response header
 */
public record Submission(CacheHit hit, Job job, String cacheStatus) {

    public static Submission fromCache(CacheHit hit) {
        return new Submission(hit, null, "hit-" + hit.level().name().toLowerCase());
    }

    public static Submission queued(Job job, String cacheStatus) {
        return new Submission(null, job, cacheStatus);
    }

    public boolean isHit() {
        return hit != null;
    }
}
