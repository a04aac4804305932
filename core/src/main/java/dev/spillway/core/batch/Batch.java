package dev.spillway.core.batch;

import java.time.Instant;
import java.util.Map;

import dev.spillway.core.job.WebhookDelivery;

/**
 * The durable record of a batch. Its progress is not stored here: it is read from its jobs, so it stays true
 * whatever happens to the workers that run them.
 *
 * @param total how many requests (jobs) the batch holds
 * @param deadline when the completion window closes: unfinished requests then expire
 * @param accepted when all its jobs were stored and queued; null while they are being created
 * @param cancelRequested when the client asked to cancel it; null if never
 * @param file the S3 object the batch was read from, and its result files; null for a batch sent to the API
 * @param callbackUrl where its webhook is POSTed once it is final (checked at submission); null for none
 * @param webhook the record of that webhook's delivery; null until the batch webhooks task takes it up
 */
public record Batch(
        String id,
        String tenant,
        String endpoint,
        String completionWindow,
        Map<String, String> metadata,
        int total,
        Instant created,
        Instant deadline,
        Instant accepted,
        Instant cancelRequested,
        FileSource file,
        String callbackUrl,
        WebhookDelivery webhook) {

    public Batch {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A batch without a callback. */
    public Batch(String id, String tenant, String endpoint, String completionWindow, Map<String, String> metadata,
            int total, Instant created, Instant deadline, Instant accepted, Instant cancelRequested, FileSource file) {
        this(id, tenant, endpoint, completionWindow, metadata, total, created, deadline, accepted, cancelRequested,
                file, null, null);
    }

    /** A batch sent to the API. */
    public Batch(String id, String tenant, String endpoint, String completionWindow, Map<String, String> metadata,
            int total, Instant created, Instant deadline, Instant accepted, Instant cancelRequested) {
        this(id, tenant, endpoint, completionWindow, metadata, total, created, deadline, accepted, cancelRequested,
                null);
    }

    public static Batch creating(String id, String tenant, String endpoint, String completionWindow,
            Map<String, String> metadata, int total, Instant created, Instant deadline) {
        return new Batch(id, tenant, endpoint, completionWindow, metadata, total, created, deadline, null, null);
    }

    /** The same batch asking for a webhook at {@code url} (null: none). */
    public Batch withCallbackUrl(String url) {
        return new Batch(id, tenant, endpoint, completionWindow, metadata, total, created, deadline, accepted,
                cancelRequested, file, url, webhook);
    }

    /** The same batch, accepted at {@code at}. */
    public Batch acceptedAt(Instant at) {
        return new Batch(id, tenant, endpoint, completionWindow, metadata, total, created, deadline, at,
                cancelRequested, file, callbackUrl, webhook);
    }
}
