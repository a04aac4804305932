package dev.spillway.core.config;

import java.util.Optional;

import dev.spillway.core.job.Tier;
import io.smallrye.config.ConfigMapping;

/** The SQS queue and dead-letter queue of each priority tier. */
@ConfigMapping(prefix = "spillway.queues")
public interface QueuesConfig {

    /** Latency-sensitive requests whose callers are waiting. */
    TierQueue interactive();

    /** Fire-and-forget jobs. */
    TierQueue standard();

    /** Batch work: served when the higher tiers leave capacity. */
    TierQueue batch();

    default TierQueue of(Tier tier) {
        return switch (tier) {
            case INTERACTIVE -> interactive();
            case STANDARD -> standard();
            case BATCH -> batch();
        };
    }

    interface TierQueue {

        /** Queue URL, e.g. {@code https://sqs.eu-west-1.amazonaws.com/123456789012/spillway-interactive}. */
        String url();

        /** URL of the dead-letter queue that the redrive policy of {@link #url()} points to. */
        Optional<String> dlqUrl();
    }
}
