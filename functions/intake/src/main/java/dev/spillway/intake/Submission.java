package dev.spillway.intake;

import dev.spillway.core.api.ChatCompletionRequest;
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
public record Submission(CacheHit hit, Job job, String cacheStatus, boolean replayed, DirectAnswer direct,
        ChatCompletionRequest request) {

    public static Submission fromCache(CacheHit hit, ChatCompletionRequest request) {
        return new Submission(hit, null, "hit-" + hit.level().name().toLowerCase(), false, null, request);
    }

    public static Submission queued(Job job, String cacheStatus, ChatCompletionRequest request) {
        return new Submission(null, job, cacheStatus, false, null, request);
    }

    /** The job an earlier submit with the same {@code Idempotency-Key} created. */
    public static Submission replayed(Job job, ChatCompletionRequest request) {
        return new Submission(null, job, "bypass", true, null, request);
    }

    /** Answered at once by an upstream target, with no job. */
    public static Submission direct(DirectAnswer answer, String cacheStatus, ChatCompletionRequest request) {
        return new Submission(null, null, cacheStatus, false, answer, request);
    }

    /** The client asked for server-sent events. */
    public boolean streams() {
        return request.stream();
    }

    /** The client asked for a closing chunk with the usage. */
    public boolean includeUsage() {
        return request.includeUsage();
    }

    public boolean isHit() {
        return hit != null;
    }

    public boolean isDirect() {
        return direct != null;
    }
}
