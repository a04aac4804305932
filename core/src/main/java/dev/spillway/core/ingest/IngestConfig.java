package dev.spillway.core.ingest;

import java.util.Optional;

import dev.spillway.core.job.Tier;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The SQS ingest queue: producers that would rather enqueue chat-completion requests than call HTTP. */
@ConfigMapping(prefix = "spillway.ingest")
public interface IngestConfig {

    /** The ingest queue's URL; read by pollers (the local stack). The Lambda is given its messages by SQS. */
    Optional<String> queueUrl();

    /**
     * The ingest queue's dead-letter queue. A message that can never become a job is copied there at once with its
     * reason in the {@code spillway-error} attribute, and acknowledged. Unset, such messages are left to the
     * queue's redrive policy (no reason attached).
     */
    Optional<String> dlqUrl();

    /** Tier of a message that names none; a key's own tier caps it. */
    @WithDefault("standard")
    Tier defaultTier();
}
