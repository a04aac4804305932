package dev.spillway.core.batch;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.WebhookDelivery;

/** The durable record of batches, and the reads over their jobs that give their progress and results. */
public interface BatchStore {

    /**
     * Stores a new batch (not yet accepted); fails if the id exists. A batch with a callback URL is listed among
     * the open callbacks ({@link #openCallbackIds}) in the same write.
     */
    void create(Batch batch);

    /**
     * Stores a new batch together with the record of its idempotency key, atomically, unless the key was already
     * used (and has not expired): then nothing is stored and the earlier use is returned.
     */
    KeyUse createIdempotent(Batch batch, String idempotencyId, String requestHash, Instant keyExpires);

    /**
     * Records that an idempotency key was used for a request on {@code batchId} (a cancel), unless it already
     * was: then the earlier use is returned.
     */
    KeyUse recordKey(String idempotencyId, String batchId, String requestHash, Instant now, Instant keyExpires);

    /** An idempotency key's use: whether this call recorded it, the id it stands for, and the request it was for. */
    record KeyUse(boolean recorded, String id, String requestHash) {
    }

    /** Strongly consistent read. */
    Optional<Batch> find(String id);

    /** Marks a batch accepted once all its jobs are stored and queued. */
    void markAccepted(String id, Instant now);

    /** Records the cancel request (the first one's time is kept) and returns the batch. */
    Batch requestCancel(String id, Instant now);

    /** Removes a batch that was refused while being created, and its idempotency record if any. */
    void withdraw(String id, String idempotencyId);

    /** Ids of the batches that asked for a webhook whose delivery is not settled yet; read without a scan. */
    List<String> openCallbackIds();

    /** Takes the batch off the open callbacks (its webhook is settled, or the batch is gone). */
    void unlistCallback(String batchId);

    /**
     * Takes up the webhook of a batch that has a callback URL (the caller has seen it final): no delivery recorded
     * yet, or one whose owner's lease lapsed. Empty when another owner holds it or it is settled.
     */
    Optional<Batch> claimWebhook(String id, String owner, Instant now, Instant leaseUntil);

    /** Records an attempt (or the end) of the delivery {@code owner} holds; false when it no longer holds it. */
    boolean recordWebhook(String id, String owner, WebhookDelivery delivery);

    /** A tenant's batches, newest first, starting after {@code after} (null: from the newest). */
    BatchPage list(String tenant, Batch after, int limit);

    record BatchPage(List<Batch> batches, boolean hasMore) {
    }

    /** Counts the batch's jobs by status. Read from an index, so a job written a moment ago may be missing. */
    BatchProgress progress(String batchId);

    /** The batch's jobs in request order, one page of the index at a time. */
    void forEachJob(String batchId, Consumer<Job> action);

    /** Ids of the batch's jobs that are queued or running. */
    List<String> unfinishedJobIds(String batchId);
}
