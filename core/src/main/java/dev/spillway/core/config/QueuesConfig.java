package dev.spillway.core.config;

import java.util.Optional;

import dev.spillway.core.job.Tier;
import io.smallrye.config.ConfigMapping;

/**
 * The shared tier queues: the fleet of every model that has no queues of its own
 * ({@code spillway.models.<key>.queues.*}). Absent when every model has its own fleet.
 */
@ConfigMapping(prefix = "spillway.queues")
public interface QueuesConfig {

    /** Latency-sensitive requests whose callers are waiting. */
    Optional<TierQueue> interactive();

    /** Fire-and-forget jobs. */
    Optional<TierQueue> standard();

    /** Batch work: served when the higher tiers leave capacity. */
    Optional<TierQueue> batch();

    interface TierQueue {

        /** Queue URL, e.g. {@code https://sqs.eu-west-1.amazonaws.com/123456789012/spillway-interactive}. */
        String url();

        /** URL of the dead-letter queue that the redrive policy of {@link #url()} points to. */
        Optional<String> dlqUrl();
    }

    /** One queue per tier: a fleet's queues. */
    interface TierQueues {

        TierQueue interactive();

        TierQueue standard();

        TierQueue batch();

        default TierQueue of(Tier tier) {
            return switch (tier) {
                case INTERACTIVE -> interactive();
                case STANDARD -> standard();
                case BATCH -> batch();
            };
        }
    }
}
