package dev.spillway.core.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.spillway.core.api.ChatCompletion;

/**
 * The durable record of every job. Every transition is conditional on the state it leaves, so duplicate
 * deliveries, competing workers and late retries cannot produce a second result.
 */
public interface JobStore {

    /**
     * Stores a new QUEUED job under a fresh id ({@link JobIds#next()}); fails if the id exists. Implementations may
     * merge concurrent creates into one {@link #createAll} call, where the id's freshness is what keeps it unique.
     */
    void create(Job job);

    /**
     * Stores many new QUEUED jobs, each under a fresh id ({@link JobIds#next()}); implementations merge the writes
     * into as few calls as the store allows, which may not check that an id is unused.
     *
     * @return the failure of each job that was not stored, by job id; empty when every one was
     */
    default Map<String, RuntimeException> createAll(List<Job> jobs) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        for (Job job : jobs) {
            try {
                create(job);
            } catch (RuntimeException e) {
                failures.put(job.id(), e);
            }
        }
        return failures;
    }

    /**
     * Stores a new QUEUED job together with the record of its idempotency key, atomically, unless the key was
     * already used (and has not expired): then nothing is stored and the earlier use is returned.
     */
    IdempotentCreate createIdempotent(Job job, String idempotencyId, String requestHash, Instant keyExpires);

    /** The outcome of {@link #createIdempotent}: the job now stored under the key, and the request it was for. */
    record IdempotentCreate(boolean created, String jobId, String requestHash) {
    }

    /** Strongly consistent read. */
    Optional<Job> find(String id);

    /**
     * Removes a job that was never handed to a queue (its send failed), and its idempotency record if any, so a
     * refused request leaves nothing and may be retried with the same key.
     */
    void withdraw(String id, String idempotencyId);

    /**
     * QUEUED, or RUNNING with a lapsed lease → RUNNING under {@code owner} until {@code leaseUntil}.
     *
     * @return the claimed job, or empty when it is not claimable (finished, cancelled, or leased to a live worker)
     */
    Optional<Job> claim(String id, String owner, Instant now, Instant leaseUntil);

    /** Pushes the lease forward while the owner still holds it; false when it no longer does (e.g. cancelled). */
    boolean extendLease(String id, String owner, Instant leaseUntil);

    /** RUNNING under {@code owner} → SUCCEEDED with the result; the final job, or empty when the owner lost it meanwhile. */
    Optional<Job> succeed(String id, String owner, ChatCompletion result, Instant now);

    /** RUNNING under {@code owner} → FAILED; the final job, or empty when the owner lost it meanwhile. */
    Optional<Job> fail(String id, String owner, JobError error, Instant now);

    /** QUEUED or RUNNING (any owner) → FAILED; for jobs whose messages were dead-lettered. */
    boolean failUnfinished(String id, JobError error, Instant now);

    /** RUNNING under {@code owner} → QUEUED, for another attempt. */
    boolean release(String id, String owner);

    /**
     * RUNNING under exactly this lease ({@code owner} until {@code leaseUntil}), lapsed before {@code now} → QUEUED,
     * for the reaper. Only one of concurrent callers holding the same lease gets true, so only that one re-sends the
     * job's message.
     */
    boolean reclaim(String id, String owner, Instant leaseUntil, Instant now);

    /**
     * QUEUED, or RUNNING with a lapsed lease, whose deadline passed before {@code now} → EXPIRED. A job a live
     * worker is running is left to finish.
     */
    boolean expire(String id, Instant now);

    /**
     * RUNNING jobs whose lease ended before {@code before}, up to {@code limit}, read from an eventually consistent
     * index: a candidate may have moved on since, which the conditional {@link #reclaim} and {@link #expire} catch.
     */
    List<Overdue> lapsedLeases(Instant before, int limit);

    /** QUEUED jobs whose deadline passed before {@code before}, up to {@code limit}; eventually consistent too. */
    List<Overdue> pastDeadline(Instant before, int limit);

    /**
     * A job the reaper may act on, as its index saw it.
     *
     * @param leaseOwner and {@code leaseUntil}: the lapsed lease (RUNNING candidates only, else null)
     */
    record Overdue(String id, Tier tier, String leaseOwner, Instant leaseUntil, Instant deadline) {
    }

    /**
     * QUEUED or RUNNING of {@code tenant} → CANCELLED.
     *
     * @return the cancelled job, or empty when it does not exist for that tenant or is already final
     */
    Optional<Job> cancel(String id, String tenant, Instant now);

    /**
     * Takes up the webhook of a final job that has a callback URL: no delivery recorded yet, or one whose owner's
     * lease lapsed (a crashed notifier) → DELIVERING under {@code owner} until {@code leaseUntil}.
     *
     * @return the job as now stored; empty when there is nothing to deliver (not final, no callback URL, already
     *         delivered, failed or refused) or another notifier holds the delivery
     */
    Optional<Job> claimWebhook(String id, String owner, Instant now, Instant leaseUntil);

    /**
     * Records the delivery's progress while {@code owner} holds it; a final state releases it for good.
     *
     * @return false when the owner no longer holds the delivery
     */
    boolean recordWebhook(String id, String owner, WebhookDelivery delivery);
}
