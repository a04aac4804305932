package dev.spillway.core.webhook;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.spillway.core.fault.RetryBackoff;
import dev.spillway.core.job.WebhookDelivery;

/**
 * The attempts of one claimed webhook delivery, whatever it reports on (a job, a batch): the callback URL checked
 * again, the body signed for its tenant ({@link WebhookSignatures}) and POSTed up to {@code max-attempts} times with
 * doubling, jittered pauses ({@link RetryBackoff}), every attempt recorded under the caller's claim.
 *
 * <p>Any non-2xx status (redirects are not followed) or I/O error is retried; after the last one the delivery is
 * recorded as failed. A URL refused now (DNS points somewhere forbidden) is recorded as refused, never connected to.
 */
public class WebhookAttempts {

    private static final Logger LOG = Logger.getLogger(WebhookAttempts.class);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final int MAX_ERROR_LENGTH = 500;

    public enum Outcome {
        DELIVERED, FAILED, REFUSED,
        /** Nothing done: the claim was lost to another deliverer, or there was nothing to deliver. */
        SKIPPED
    }

    /**
     * What is POSTed.
     *
     * @param subject what it reports on, for logs ({@code job job_...}, {@code batch batch_...})
     * @param webhookId {@code Spillway-Webhook-Id}: the same for every attempt and replay of one final state
     * @param event {@code Spillway-Event}, e.g. {@code job.succeeded}, {@code batch.completed}
     */
    public record Message(String subject, String tenant, String callbackUrl, String webhookId, String event,
            byte[] body) {
    }

    /** Records the delivery on what it reports on; false when the caller's claim was lost meanwhile. */
    @FunctionalInterface
    public interface Recorder {
        boolean record(WebhookDelivery delivery);
    }

    private final WebhooksConfig config;
    private final CallbackUrls callbackUrls;
    private final WebhookSender sender;
    private final RetryBackoff backoff;
    private final Clock clock;
    private final SigningSecret signingSecret;

    public WebhookAttempts(WebhooksConfig config, CallbackUrls callbackUrls, Clock clock) {
        this.config = config;
        this.callbackUrls = callbackUrls;
        this.sender = new WebhookSender(config.connectTimeout(), config.responseTimeout());
        this.backoff = new RetryBackoff(config.firstRetryDelay(), config.maxRetryDelay());
        this.clock = clock;
        this.signingSecret = new SigningSecret(config, clock);
    }

    /** The master signing secret; fails before anything is claimed when it is not configured or cannot be read. */
    public String masterSecret() {
        return signingSecret.get();
    }

    /**
     * Makes the attempts of a claimed delivery.
     *
     * @param attemptsSoFar POSTs made under earlier claims (a deliverer that crashed), counted on
     */
    public Outcome deliver(String masterSecret, Message message, int attemptsSoFar, Recorder recorder) {
        int attempts = attemptsSoFar;
        CallbackTarget target;
        try {
            target = callbackUrls.check(message.callbackUrl());
        } catch (RefusedCallback refused) {
            LOG.warnf("webhook of %s refused: %s", message.subject(), refused.getMessage());
            record(message, recorder, new WebhookDelivery(WebhookDelivery.State.REFUSED, attempts, null,
                    refused.code() + ": " + refused.getMessage(), null, null, null));
            return Outcome.REFUSED;
        }
        byte[] body = message.body();
        String secret = WebhookSignatures.tenantSecret(masterSecret, message.tenant());
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            int number = attempts + 1;
            long timestamp = clock.instant().getEpochSecond();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(WebhookSignatures.WEBHOOK_ID_HEADER, message.webhookId());
            headers.put(WebhookSignatures.EVENT_HEADER, message.event());
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
                record(message, recorder, new WebhookDelivery(WebhookDelivery.State.DELIVERED, attempts, status, null,
                        clock.instant(), null, null));
                return Outcome.DELIVERED;
            }
            boolean last = attempt == config.maxAttempts();
            LOG.infof("webhook of %s, attempt %d: %s%s", message.subject(), number, error, last ? "; giving up" : "");
            WebhookDelivery.State state = last ? WebhookDelivery.State.FAILED : WebhookDelivery.State.DELIVERING;
            if (!record(message, recorder, new WebhookDelivery(state, attempts, status, error, null, null, null))) {
                return Outcome.SKIPPED;
            }
            if (last) {
                return Outcome.FAILED;
            }
            if (!backoff.pause(attempt)) {
                throw new IllegalStateException("interrupted between webhook attempts");
            }
        }
        return Outcome.FAILED;
    }

    private static boolean record(Message message, Recorder recorder, WebhookDelivery delivery) {
        boolean held = recorder.record(delivery);
        if (!held) {
            LOG.warnf("webhook of %s: delivery lost to another deliverer (lease lapsed)", message.subject());
        }
        return held;
    }

    /** Long enough for every attempt to time out and every pause to run, so a live owner never loses the claim. */
    public Duration lease() {
        Duration perAttempt = config.connectTimeout().plus(config.responseTimeout());
        Duration pauses = Duration.ZERO;
        for (int attempt = 1; attempt < config.maxAttempts(); attempt++) {
            pauses = pauses.plus(backoff.ceiling(attempt));
        }
        return perAttempt.multipliedBy(Math.max(1, config.maxAttempts())).plus(pauses).plus(LEASE_MARGIN);
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
    }
}
