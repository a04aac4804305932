package dev.spillway.core.batch.webhook;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.BatchService;
import dev.spillway.core.batch.BatchSnapshot;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.batch.BatchView;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.core.webhook.CallbackUrls;
import dev.spillway.core.webhook.WebhookAttempts;
import dev.spillway.core.webhook.WebhooksConfig;

/**
 * Delivers the webhook of a batch that asked for one, once its status is final (completed, failed, cancelled,
 * expired): the batch object ({@code GET /v1/batches/{id}}) POSTed to its callback URL, signed and retried exactly
 * like a job's ({@link WebhookAttempts}), with {@code Spillway-Event: batch.<status>}.
 *
 * <p>A batch's status is derived from its jobs, never stored, so nothing announces the moment it turns final: the
 * batch webhooks task asks, on every scheduler tick, about each batch on the open-callbacks list. Once per final
 * state: the delivery is claimed on the batch record with a conditional write before the first POST and every
 * attempt is recorded under that claim, so an overlapping tick finds it taken (or settled) and POSTs nothing.
 */
@ApplicationScoped
public class BatchWebhookNotifier {

    /** What one look at a listed batch came to. */
    public enum Outcome {
        DELIVERED, FAILED, REFUSED,
        /** Not final yet (or, for a file batch, its result files are not linked yet): looked at again next tick. */
        PENDING,
        /** Another run holds the delivery, or took it over meanwhile. */
        BUSY,
        /** Settled before (or the batch is gone): only taken off the list. */
        SETTLED
    }

    private final BatchStore batches;
    private final BatchService service;
    private final WebhookAttempts attempts;
    private final ObjectMapper json;
    private final Clock clock;

    public BatchWebhookNotifier(BatchStore batches, BatchService service, WebhooksConfig config,
            CallbackUrls callbackUrls, ObjectMapper json, Clock clock) {
        this.batches = batches;
        this.service = service;
        this.attempts = new WebhookAttempts(config, callbackUrls, clock);
        this.json = json;
        this.clock = clock;
    }

    /** The master signing secret, required before any batch is looked at. */
    public String masterSecret() {
        return attempts.masterSecret();
    }

    /**
     * Delivers the webhook of batch {@code batchId} if it is final and nobody took care of it yet; takes the batch
     * off the open-callbacks list once its delivery is settled.
     *
     * @throws RuntimeException when the stores cannot be read or written (the next tick tries again)
     */
    public Outcome deliver(String batchId, String masterSecret) {
        Optional<Batch> found = batches.find(batchId);
        if (found.isEmpty() || found.get().callbackUrl() == null || settled(found.get().webhook())) {
            batches.unlistCallback(batchId);
            return Outcome.SETTLED;
        }
        Batch batch = found.get();
        Instant now = clock.instant();
        WebhookDelivery current = batch.webhook();
        if (current != null && current.leaseUntil() != null && current.leaseUntil().isAfter(now)) {
            return Outcome.BUSY;
        }
        BatchSnapshot snapshot = service.snapshot(batch);
        // A file batch is reported once its result files are linked, so the POSTed object names them.
        if (!snapshot.status().isFinal() || (batch.file() != null && batch.file().outputsWritten() == null)) {
            return Outcome.PENDING;
        }
        String owner = "batch-webhooks-" + UUID.randomUUID();
        Optional<Batch> claimed = batches.claimWebhook(batchId, owner, now, now.plus(attempts.lease()));
        if (claimed.isEmpty()) {
            return Outcome.BUSY;
        }
        Batch held = claimed.get();
        int attemptsSoFar = held.webhook() == null ? 0 : held.webhook().attempts();
        String status = snapshot.status().wireName();
        WebhookAttempts.Message message = new WebhookAttempts.Message("batch " + batchId, held.tenant(),
                held.callbackUrl(), webhookId(batchId, status), "batch." + status, body(snapshot.withBatch(held)));
        WebhookAttempts.Outcome outcome = attempts.deliver(masterSecret, message, attemptsSoFar,
                delivery -> batches.recordWebhook(batchId, owner, delivery));
        if (outcome == WebhookAttempts.Outcome.SKIPPED) {
            return Outcome.BUSY;
        }
        batches.unlistCallback(batchId);
        return Outcome.valueOf(outcome.name());
    }

    /** Stable across attempts, ticks and takeovers: one final state per batch, so one webhook per batch. */
    public static String webhookId(String batchId, String status) {
        return "whk_" + batchId + "_" + status;
    }

    private static boolean settled(WebhookDelivery delivery) {
        return delivery != null && delivery.state().isFinal();
    }

    private byte[] body(BatchSnapshot snapshot) {
        try {
            return json.writeValueAsBytes(BatchView.of(snapshot));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize batch " + snapshot.batch().id(), e);
        }
    }
}
