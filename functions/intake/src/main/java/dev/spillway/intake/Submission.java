package dev.spillway.intake;

import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.job.Job;
import dev.spillway.intake.direct.DirectAnswer;

/**
 * The outcome of accepting a request: answered from the cache, answered by an upstream target (direct lane), or a
 * durable job (spill lane).
 *
 * @param cacheStatus value of the {@code X-Spillway-Cache} response header
 * @param replayed the job was created by an earlier submit with the same {@code Idempotency-Key}
 */
public record Submission(CacheHit hit, Job job, String cacheStatus, boolean replayed, DirectAnswer direct) {

    public static Submission fromCache(CacheHit hit) {
        return new Submission(hit, null, "hit-" + hit.level().name().toLowerCase(), false, null);
    }

    public static Submission queued(Job job, String cacheStatus) {
        return new Submission(null, job, cacheStatus, false, null);
    }

    /** The job an earlier submit with the same {@code Idempotency-Key} created. */
    public static Submission replayed(Job job) {
        return new Submission(null, job, "bypass", true, null);
    }

    /** Answered at once by an upstream target, with no job. */
    public static Submission direct(DirectAnswer answer, String cacheStatus) {
        return new Submission(null, null, cacheStatus, false, answer);
    }

    public boolean isHit() {
        return hit != null;
    }

    public boolean isDirect() {
        return direct != null;
    }
}
