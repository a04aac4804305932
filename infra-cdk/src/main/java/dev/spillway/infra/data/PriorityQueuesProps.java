package dev.spillway.infra.data;

import software.amazon.awscdk.Duration;

/**
 * Settings shared by every tier queue.
 *
 * @param maxReceiveCount   deliveries before a message moves to the tier's dead-letter queue
 * @param visibilityTimeout how long a received message stays hidden; longer than one job's processing time
 * @param retention         how long an unconsumed message is kept in a tier queue
 * @param dlqRetention      how long a dead letter is kept; longer than {@code retention}
 */
public record PriorityQueuesProps(int maxReceiveCount, Duration visibilityTimeout, Duration retention,
                                  Duration dlqRetention) {

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int maxReceiveCount = 5;
        private Duration visibilityTimeout = Duration.seconds(120);
        private Duration retention = Duration.days(4);
        private Duration dlqRetention = Duration.days(14);

        public Builder maxReceiveCount(final int value) {
            this.maxReceiveCount = value;
            return this;
        }

        public Builder visibilityTimeout(final Duration value) {
            this.visibilityTimeout = value;
            return this;
        }

        public Builder retention(final Duration value) {
            this.retention = value;
            return this;
        }

        public Builder dlqRetention(final Duration value) {
            this.dlqRetention = value;
            return this;
        }

        public PriorityQueuesProps build() {
            return new PriorityQueuesProps(maxReceiveCount, visibilityTimeout, retention, dlqRetention);
        }
    }
}
