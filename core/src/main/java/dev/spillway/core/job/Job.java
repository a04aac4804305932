package dev.spillway.core.job;

import java.time.Instant;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One unit of spilled work and everything known about it. Immutable: a state change is a conditional write
 * to the {@link JobStore} that returns the new job.
 *
 * @param cacheKey where the worker stores the result for reuse; null when the request is not cacheable
 * @param leaseOwner worker currently entitled to finish the job (RUNNING only)
 * @param attempts how many times a worker claimed the job
 * @param batchLine the batch request line this job runs; null for a job submitted on its own
 * @param callbackUrl where the job view is POSTed when the job reaches a final state; null for no webhook
 * @param webhook what became of that POST so far; null until the notifier first takes it up
 * @param estimatedFinishAt when the intake expected it to finish as it was queued ({@code FinishEstimator}); null
 *        when no estimate was made (batch lines, estimates off or their inputs unreadable)
 */
@RegisterForReflection
public record Job(
        String id,
        String tenant,
        JobStatus status,
        Tier tier,
        ChatCompletionRequest request,
        String cacheKey,
        Instant created,
        Instant deadline,
        Instant started,
        Instant finished,
        String leaseOwner,
        Instant leaseUntil,
        int attempts,
        ChatCompletion result,
        JobError error,
        BatchLine batchLine,
        String callbackUrl,
        WebhookDelivery webhook,
        Instant estimatedFinishAt) {

    public static Job queued(String id, String tenant, Tier tier, ChatCompletionRequest request, String cacheKey,
            Instant created, Instant deadline) {
        return new Job(id, tenant, JobStatus.QUEUED, tier, request, cacheKey, created, deadline, null, null, null,
                null, 0, null, null, null, null, null, null);
    }

    /** This job as line {@code batchLine} of a batch. */
    public Job withBatchLine(BatchLine batchLine) {
        return new Job(id, tenant, status, tier, request, cacheKey, created, deadline, started, finished, leaseOwner,
                leaseUntil, attempts, result, error, batchLine, callbackUrl, webhook, estimatedFinishAt);
    }

    /** This job with a webhook to {@code callbackUrl} (already checked) once it is final. */
    public Job withCallbackUrl(String callbackUrl) {
        return new Job(id, tenant, status, tier, request, cacheKey, created, deadline, started, finished, leaseOwner,
                leaseUntil, attempts, result, error, batchLine, callbackUrl, webhook, estimatedFinishAt);
    }

    /** This job with the finish time estimated as it is queued (null: none). */
    public Job withEstimatedFinishAt(Instant estimatedFinishAt) {
        return new Job(id, tenant, status, tier, request, cacheKey, created, deadline, started, finished, leaseOwner,
                leaseUntil, attempts, result, error, batchLine, callbackUrl, webhook, estimatedFinishAt);
    }

    public String model() {
        return request.model();
    }
}
