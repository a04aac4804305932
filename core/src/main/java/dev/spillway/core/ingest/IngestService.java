package dev.spillway.core.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.admission.Admission;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Tier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Turns ingest-queue messages into jobs, through the same {@link RequestChecks} and {@link Admission} path as
 * {@code POST /v1/jobs}: the same validation, limits, idempotency and tiers.
 *
 * <p>The message body is an envelope:
 * <pre>
 * {"api_key": "sk-spillway-...",            required when spillway.auth.enabled (the default)
 *  "request": { chat completion request },  required, as POST /v1/chat/completions takes it
 *  "callback_url": "https://...",           optional: webhook when the job is final
 *  "idempotency_key": "...",                optional: the same key (per tenant) is the same job, never a copy
 *  "tier": "interactive|standard|batch"}    optional, default spillway.ingest.default-tier; capped by the key
 * </pre>
 * The queue's IAM policy decides who may send; the API key decides as whom: tenant, tier, models, rate limits and
 * revocation apply exactly as over HTTP. Unknown envelope fields are refused, so a misspelt one is not ignored.
 *
 * <p>A message that can never become a job (bad envelope, invalid request, refused key or callback URL, reused
 * idempotency key) is copied to the ingest DLQ with its reason ({@link #ERROR_ATTRIBUTE}: the OpenAI error JSON;
 * {@link #ERROR_CODE_ATTRIBUTE}) and acknowledged: retrying would fail the same way, and a message SQS moves by
 * itself after {@code maxReceiveCount} carries no reason. A failure that may pass (job store, queue or key store
 * unavailable, rate limit, key still in use) is reported for retry: SQS redelivers that message only.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);
    public static final String ERROR_ATTRIBUTE = "spillway-error";
    public static final String ERROR_CODE_ATTRIBUTE = "spillway-error-code";
    public static final String SOURCE_MESSAGE_ATTRIBUTE = "spillway-source-message-id";
    private static final Set<String> FIELDS = Set.of("api_key", "request", "callback_url", "idempotency_key", "tier");

    /** What became of one message. */
    public sealed interface Outcome {
        /** Now a job (or, replayed, the job an earlier message with the same idempotency key created). */
        record Accepted(String jobId, boolean replayed) implements Outcome {
        }

        /** Never a job: copied to the DLQ with the reason. */
        record Rejected(ApiException reason) implements Outcome {
        }

        /** Not now: to be redelivered. */
        record Retry(RuntimeException cause) implements Outcome {
        }
    }

    private final RequestChecks checks;
    private final Admission admission;
    private final Authenticator authenticator;
    private final IngestConfig config;
    private final SqsClient sqs;
    private final ObjectMapper json;
    private final Clock clock;

    public IngestService(RequestChecks checks, Admission admission, Authenticator authenticator, IngestConfig config,
            SqsClient sqs, ObjectMapper json, Clock clock) {
        this.checks = checks;
        this.admission = admission;
        this.authenticator = authenticator;
        this.config = config;
        this.sqs = sqs;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Accepts a batch of messages.
     *
     * @return the ids of the messages to redeliver (batch item failures); every other one is done with
     */
    public List<String> process(List<IngestMessage> messages) {
        List<String> retry = new ArrayList<>();
        for (IngestMessage message : messages) {
            Outcome outcome = accept(message);
            if (outcome instanceof Outcome.Accepted accepted) {
                LOG.debugf("ingest message %s → job %s%s", message.messageId(), accepted.jobId(),
                        accepted.replayed() ? " (replayed)" : "");
            } else if (outcome instanceof Outcome.Rejected rejected) {
                if (!deadLetter(message, rejected.reason())) {
                    retry.add(message.messageId());
                }
            } else if (outcome instanceof Outcome.Retry failed) {
                LOG.warnf("ingest message %s will be retried: %s", message.messageId(), failed.cause().toString());
                retry.add(message.messageId());
            }
        }
        return retry;
    }

    /** One message, without touching the DLQ. */
    public Outcome accept(IngestMessage message) {
        try {
            Envelope envelope = parse(message.body());
            Caller caller = authenticate(envelope.apiKey());
            // Nobody waits for an ingested request: it is never answered from the cache, but its answer is kept.
            Admission.Admitted admitted = admission.admit(checks.check(new IntakeRequest(caller, envelope.request(),
                    new CachePolicy(false, true, false), envelope.tier(), envelope.idempotencyKey(), Duration.ZERO,
                    envelope.callbackUrl(), "callback_url")));
            return new Outcome.Accepted(admitted.job().id(), admitted.replayed());
        } catch (ApiException e) {
            return isTransient(e) ? new Outcome.Retry(e) : new Outcome.Rejected(e);
        } catch (RuntimeException e) {
            return new Outcome.Retry(e);
        }
    }

    private Caller authenticate(String apiKey) {
        try {
            return authenticator.authenticate(apiKey == null ? null : "Bearer " + apiKey);
        } catch (ApiException e) {
            if ("missing_api_key".equals(e.code())) {
                throw new ApiException(401, ApiException.INVALID_REQUEST, e.code(), "api_key",
                        "The message has no 'api_key'; ingest messages are accepted as the tenant of their key.", null);
            }
            throw e;
        }
    }

    /** Unavailable downstreams, rate limits and a key still being accepted pass; everything else will not. */
    private static boolean isTransient(ApiException e) {
        return e.status() >= 500 || e.status() == 429 || e.status() == 409 || e.status() == 408;
    }

    private record Envelope(String apiKey, byte[] request, String callbackUrl, String idempotencyKey, Tier tier) {
    }

    private Envelope parse(String body) {
        JsonNode root;
        try {
            root = body == null ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "invalid_json", "The message body is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.invalid(null, "invalid_envelope",
                    "The message body must be a JSON object with a 'request' (and 'api_key', 'callback_url', "
                            + "'idempotency_key', 'tier').");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.invalid(name, "unknown_field", "Unknown envelope field '" + name
                        + "'; expected api_key, request, callback_url, idempotency_key, tier.");
            }
        }
        JsonNode request = root.get("request");
        if (request == null || !request.isObject()) {
            throw ApiException.invalid("request", "missing_request",
                    "'request' must be the chat completion request, a JSON object.");
        }
        byte[] requestBytes;
        try {
            requestBytes = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("request", "invalid_json", "'request' cannot be read.");
        }
        return new Envelope(text(root, "api_key"), requestBytes, text(root, "callback_url"),
                text(root, "idempotency_key"), tier(text(root, "tier")));
    }

    private Tier tier(String wire) {
        if (wire == null) {
            return config.defaultTier();
        }
        for (Tier tier : Tier.values()) {
            if (tier.wireName().equals(wire)) {
                return tier;
            }
        }
        throw ApiException.invalid("tier", "invalid_tier",
                "'tier' must be one of interactive, standard, batch.");
    }

    private static String text(JsonNode root, String name) {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid(name, "invalid_type", "'" + name + "' must be a string.");
        }
        return value.asText();
    }

    /** Copies a refused message to the DLQ with its reason; false when that failed (the message is then retried). */
    private boolean deadLetter(IngestMessage message, ApiException reason) {
        String error;
        try {
            error = json.writeValueAsString(reason.toBody());
        } catch (JsonProcessingException e) {
            error = reason.getMessage();
        }
        LOG.infof("ingest message %s refused (%s): %s", message.messageId(), reason.code(), reason.getMessage());
        if (config.dlqUrl().isEmpty()) {
            LOG.warnf("spillway.ingest.dlq-url is not set: message %s stays on the queue for its redrive policy",
                    message.messageId());
            return false;
        }
        String reasonJson = error;
        try {
            sqs.sendMessage(b -> b.queueUrl(config.dlqUrl().get())
                    .messageBody(message.body() == null || message.body().isEmpty() ? "(empty)" : message.body())
                    .messageAttributes(Map.of(
                            ERROR_ATTRIBUTE, attribute(reasonJson),
                            ERROR_CODE_ATTRIBUTE, attribute(reason.code() == null ? "invalid_request" : reason.code()),
                            SOURCE_MESSAGE_ATTRIBUTE, attribute(message.messageId()),
                            "spillway-refused-at", attribute(clock.instant().toString()))));
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("ingest DLQ unavailable, message %s will be retried: %s", message.messageId(), e.toString());
            return false;
        }
    }

    private static MessageAttributeValue attribute(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
