package dev.spillway.core.webhook;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.intake.api.JobView;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
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
 * <p>Attempts: up to {@code max-attempts} within this call, with doubling, jittered pauses; any non-2xx status
 * (redirects are not followed) or I/O error is retried; after the last one the delivery is recorded as failed and
 * not tried again. A URL refused at delivery (DNS now points somewhere forbidden) is recorded as refused, never
 * connected to, never retried.
 */
@ApplicationScoped
public class WebhookNotifier {

    private static final Logger LOG = Logger.getLogger(WebhookNotifier.class);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final int MAX_ERROR_LENGTH = 500;

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
    private final WebhooksConfig config;
    private final CallbackUrls callbackUrls;
    private final WebhookSender sender;
    private final ObjectMapper json;
    private final Clock clock;

    public WebhookNotifier(JobStore store, WebhooksConfig config, CallbackUrls callbackUrls, ObjectMapper json,
            Clock clock) {
        this.store = store;
        this.config = config;
        this.callbackUrls = callbackUrls;
        this.sender = new WebhookSender(config.connectTimeout(), config.responseTimeout());
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
        String secretMaster = config.signingSecret()
                .filter(secret -> !secret.isBlank())
                .orElseThrow(() -> new IllegalStateException(
                        "spillway.webhooks.signing-secret is not set: webhooks cannot be signed"));
        String owner = "notifier-" + UUID.randomUUID();
        Instant now = clock.instant();
        Optional<Job> claimed = store.claimWebhook(jobId, owner, now, now.plus(lease()));
        if (claimed.isEmpty()) {
            Optional<Job> current = store.find(jobId);
            WebhookDelivery delivery = current.map(Job::webhook).orElse(null);
            if (delivery != null && delivery.state() == WebhookDelivery.State.DELIVERING) {
                throw new DeliveryBusy(jobId);
            }
            return Outcome.SKIPPED;
        }
        Job job = claimed.get();
        int attempts = job.webhook() == null ? 0 : job.webhook().attempts();
        CallbackTarget target;
        try {
            target = callbackUrls.check(job.callbackUrl());
        } catch (RefusedCallback refused) {
            LOG.warnf("webhook of job %s refused: %s", jobId, refused.getMessage());
            record(job, owner, new WebhookDelivery(WebhookDelivery.State.REFUSED, attempts, null,
                    refused.code() + ": " + refused.getMessage(), null, null, null));
            return Outcome.REFUSED;
        }
        byte[] body = body(job);
        String secret = WebhookSignatures.tenantSecret(secretMaster, job.tenant());
        String webhookId = webhookId(job);
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            int number = attempts + 1;
            long timestamp = clock.instant().getEpochSecond();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(WebhookSignatures.WEBHOOK_ID_HEADER, webhookId);
            headers.put(WebhookSignatures.EVENT_HEADER, "job." + job.status().wireName());
            headers.put(WebhookSignatures.TIMESTAMP_HEADER, Long.toString(timestamp));
            headers.put(WebhookSignatures.ATTEMPT_HEADER, Integer.toString(number));
            headers.put(WebhookSignatures.SIGNATURE_HEADER, WebhookSignatures.header(secret, timestamp, body));
            Integer status = null;
            String error = null;
            try {
                status = sender.post(target, headers, body);
                if (status < 200 || status > 299) {
                    error = "HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : "");
                }
            } catch (IOException e) {
                error = truncate(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            attempts = number;
            if (error == null) {
                record(job, owner, new WebhookDelivery(WebhookDelivery.State.DELIVERED, attempts, status, null,
                        clock.instant(), null, null));
                return Outcome.DELIVERED;
            }
            boolean last = attempt == config.maxAttempts();
            LOG.infof("webhook of job %s, attempt %d: %s%s", jobId, number, error, last ? "; giving up" : "");
            WebhookDelivery.State state = last ? WebhookDelivery.State.FAILED : WebhookDelivery.State.DELIVERING;
            if (!record(job, owner, new WebhookDelivery(state, attempts, status, error, null, null, null))) {
                return Outcome.SKIPPED;
            }
            if (last) {
                return Outcome.FAILED;
            }
            pause(attempt);
        }
        return Outcome.FAILED;
    }

    /** Stable across attempts and replays: one final state per job, so one webhook per job. */
    public static String webhookId(Job job) {
        return "whk_" + job.id().substring("job_".length()) + "_" + job.status().wireName();
    }

    private boolean record(Job job, String owner, WebhookDelivery delivery) {
        boolean held = store.recordWebhook(job.id(), owner, delivery);
        if (!held) {
            LOG.warnf("webhook of job %s: delivery lost to another notifier (lease lapsed)", job.id());
        }
        return held;
    }

    private byte[] body(Job job) {
        try {
            return json.writeValueAsBytes(JobView.of(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize job " + job.id(), e);
        }
    }

    /** Long enough for every attempt to time out and every pause to run, so a live owner never loses the claim. */
    private Duration lease() {
        Duration perAttempt = config.connectTimeout().plus(config.responseTimeout());
        Duration pauses = Duration.ZERO;
        for (int attempt = 1; attempt < config.maxAttempts(); attempt++) {
            pauses = pauses.plus(delay(attempt));
        }
        return perAttempt.multipliedBy(Math.max(1, config.maxAttempts())).plus(pauses).plus(LEASE_MARGIN);
    }

    /** Pause after failed attempt {@code attempt}: first, doubling, capped. */
    private Duration delay(int attempt) {
        Duration delay = config.firstRetryDelay().multipliedBy(1L << Math.min(20, attempt - 1));
        return delay.compareTo(config.maxRetryDelay()) > 0 ? config.maxRetryDelay() : delay;
    }

    private void pause(int attempt) {
        long millis = delay(attempt).toMillis();
        try {
            Thread.sleep(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between webhook attempts", e);
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
    }
}
