package dev.spillway.core.intake;

import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.job.Job;

/**
 * The outcome of accepting a request: answered from the cache, or a durable job.
 *
 * @param cacheStatus value of the {@code X-Spillway-Cache} response header
 * @param replayed the job was created by an earlier submit with the same {@code Idempotency-Key}
 */
public record Submission(CacheHit hit, Job job, String cacheStatus, boolean replayed) {

    public static Submission fromCache(CacheHit hit) {
        return new Submission(hit, null, "hit-" + hit.level().name().toLowerCase(), false);
    }

    public static Submission queued(Job job, String cacheStatus) {
        return new Submission(null, job, cacheStatus, false);
    }

    /** The job an earlier submit with the same {@code Idempotency-Key} created. */
    public static Submission replayed(Job job) {
        return new Submission(null, job, "bypass", true);
    }

    public boolean isHit() {
        return hit != null;
    }
}
