package dev.spillway.core.webhook;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Webhooks: where a job's result may be POSTed, how it is signed, and how hard delivery tries. */
@ConfigMapping(prefix = "spillway.webhooks")
public interface WebhooksConfig {

    /** Accept {@code http://} callback URLs; off (the default) allows only {@code https://}. On for local use only. */
    @WithDefault("false")
    boolean allowHttp();

    /**
     * Allow callbacks to loopback, private (RFC 1918), carrier-grade NAT and unique-local IPv6 addresses. Link-local,
     * instance-metadata, unspecified, multicast and reserved addresses stay refused even then.
     */
    @WithDefault("false")
    boolean allowPrivateAddresses();

    /**
     * Master secret the per-tenant signing secrets are derived from (HKDF-SHA256, see {@link WebhookSignatures}).
     * For local use; in AWS set {@link #signingSecretArn()} instead, so the value is not in the environment. One of
     * the two is required by whatever sends webhooks.
     */
    Optional<String> signingSecret();

    /**
     * ARN (or name) of the Secrets Manager secret holding the master secret, read when a webhook is first signed and
     * again once {@link #signingSecretCacheTtl()} has passed. Used when {@link #signingSecret()} is not set.
     */
    Optional<String> signingSecretArn();

    /** How long a master secret read from Secrets Manager is used before it is read again (after a rotation). */
    @WithDefault("PT5M")
    Duration signingSecretCacheTtl();

    /** POSTs per delivery, the first included; after the last failed one the delivery is recorded as failed. */
    @WithDefault("5")
    int maxAttempts();

    /** Pause before the second attempt; each later pause doubles, up to {@link #maxRetryDelay()}. */
    @WithDefault("PT1S")
    Duration firstRetryDelay();

    /** Longest pause between two attempts. */
    @WithDefault("PT8S")
    Duration maxRetryDelay();

    /** How long to wait for the receiver to accept the connection (and finish the TLS handshake). */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /** How long to wait for the receiver's response status once the request is sent. */
    @WithDefault("PT10S")
    Duration responseTimeout();
}
