package dev.spillway.core.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The master secret of webhook signatures: {@code spillway.webhooks.signing-secret} when it is set (local use, tests),
 * else the Secrets Manager secret {@code spillway.webhooks.signing-secret-arn}, so in AWS the value never sits in an
 * environment variable.
 *
 * <p>The secret is read when a webhook is first signed, not at startup: a SnapStart snapshot taken after startup must
 * not carry it. It is then kept for {@code signing-secret-cache-ttl} and read again after that, so a rotated secret
 * reaches running functions without a deploy. A failed refresh keeps the value held (a Secrets Manager hiccup must not
 * stop webhooks) and is retried on the next use.
 */
final class SigningSecret {

    private static final Logger LOG = Logger.getLogger(SigningSecret.class);

    private final Optional<String> configured;
    private final Optional<String> secretId;
    private final Duration cacheTtl;
    private final Clock clock;
    private final UnaryOperator<String> secretsManager;
    private String held;
    private Instant readAt;

    SigningSecret(WebhooksConfig config, Clock clock) {
        this(config, clock, new SecretsManagerReader());
    }

    /** @param secretsManager reads the string value of a secret, given its ARN or name */
    SigningSecret(WebhooksConfig config, Clock clock, UnaryOperator<String> secretsManager) {
        this.configured = config.signingSecret().filter(secret -> !secret.isBlank());
        this.secretId = config.signingSecretArn().filter(arn -> !arn.isBlank());
        this.cacheTtl = config.signingSecretCacheTtl();
        this.clock = clock;
        this.secretsManager = secretsManager;
    }

    /** The master secret; fails when neither property is set, or when the first read of the secret fails. */
    synchronized String get() {
        if (configured.isPresent()) {
            return configured.get();
        }
        String id = secretId.orElseThrow(() -> new IllegalStateException("neither spillway.webhooks.signing-secret "
                + "nor spillway.webhooks.signing-secret-arn is set: webhooks cannot be signed"));
        Instant now = clock.instant();
        if (held != null && now.isBefore(readAt.plus(cacheTtl))) {
            return held;
        }
        try {
            String value = secretsManager.apply(id);
            if (value == null || value.isBlank()) {
                throw new IllegalStateException("the secret " + id + " has no string value");
            }
            held = value;
            readAt = now;
        } catch (RuntimeException e) {
            if (held == null) {
                throw e;
            }
            LOG.warnf("webhook signing secret not refreshed, signing with the one read at %s: %s", readAt, e.toString());
        }
        return held;
    }

    /**
     * Reads a secret through a Secrets Manager client built on first use (region and credentials from the
     * environment, as the function's other clients), on the url-connection HTTP client the functions ship.
     */
    private static final class SecretsManagerReader implements UnaryOperator<String> {

        private SecretsManagerClient client;

        @Override
        public synchronized String apply(String secretId) {
            if (client == null) {
                client = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
            }
            return client.getSecretValue(request -> request.secretId(secretId)).secretString();
        }
    }
}
