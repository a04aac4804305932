package dev.spillway.core.webhook;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.JobView;
import dev.spillway.core.job.WebhookDelivery;

/**
 * Delivers the webhook of a job that reached a final state: the job view ({@code GET /v1/jobs/{id}}) POSTed to its
 * callback URL, signed for its tenant ({@link WebhookSignatures}).
 *
 * <p>Once per final state: the delivery is claimed on the job with a conditional write before the first POST and
 * every attempt is recorded under that claim, so a replayed stream record, a second notifier or a retried batch finds
 * it delivered (or failed, or refused) and POSTs nothing. Only a crash between a receiver's 2xx and the write that
 * records it can repeat a POST; {@code Spillway-Webhook-Id} lets the receiver drop that repeat.
 *
 * <p>Attempts ({@link WebhookAttempts}, shared with batch webhooks): up to {@code max-attempts} within this call,
 * with doubling, jittered pauses; any non-2xx status (redirects are not followed) or I/O error is retried; after the last one the delivery is recorded as failed and
 * not tried again. A URL refused at delivery (DNS now points somewhere forbidden) is recorded as refused, never
 * connected to, never retried.
 */
@ApplicationScoped
public class WebhookNotifier {

    public enum Outcome {
        DELIVERED, FAILED, REFUSED,
        /** Nothing to do: no callback, not final, or already delivered, failed or refused. */
        SKIPPED
    }

    /** Another notifier holds the delivery (or crashed holding it, until its lease lapses): try again later. */
    public static class DeliveryBusy extends RuntimeException {
        public DeliveryBusy(String jobId) {
            super("the webhook of job " + jobId + " is being delivered by another notifier");
        }
    }

    private final JobStore store;
    private final WebhookAttempts attempts;
    private final ObjectMapper json;
    private final Clock clock;

    public WebhookNotifier(JobStore store, WebhooksConfig config, CallbackUrls callbackUrls, ObjectMapper json,
            Clock clock) {
        this.store = store;
        this.attempts = new WebhookAttempts(config, callbackUrls, clock);
        this.json = json;
        this.clock = clock;
    }

    /**
     * Delivers the webhook of job {@code jobId} unless it was already taken care of.
     *
     * @throws DeliveryBusy when another notifier holds the delivery
     * @throws RuntimeException when the job store cannot be read or written (retry the event later)
     */
    public Outcome deliver(String jobId) {
        String secretMaster = attempts.masterSecret();
        String owner = "notifier-" + UUID.randomUUID();
        Instant now = clock.instant();
        Optional<Job> claimed = store.claimWebhook(jobId, owner, now, now.plus(attempts.lease()));
        if (claimed.isEmpty()) {
            Optional<Job> current = store.find(jobId);
            WebhookDelivery delivery = current.map(Job::webhook).orElse(null);
            if (delivery != null && delivery.state() == WebhookDelivery.State.DELIVERING) {
                throw new DeliveryBusy(jobId);
            }
            return Outcome.SKIPPED;
        }
        Job job = claimed.get();
        int attemptsSoFar = job.webhook() == null ? 0 : job.webhook().attempts();
        WebhookAttempts.Message message = new WebhookAttempts.Message("job " + jobId, job.tenant(),
                job.callbackUrl(), webhookId(job), "job." + job.status().wireName(), body(job));
        WebhookAttempts.Outcome outcome = attempts.deliver(secretMaster, message, attemptsSoFar,
                delivery -> store.recordWebhook(job.id(), owner, delivery));
        return Outcome.valueOf(outcome.name());
    }

    /** Stable across attempts and replays: one final state per job, so one webhook per job. */
    public static String webhookId(Job job) {
        return "whk_" + job.id().substring("job_".length()) + "_" + job.status().wireName();
    }

    private byte[] body(Job job) {
        try {
            return json.writeValueAsBytes(JobView.of(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize job " + job.id(), e);
        }
    }
}
