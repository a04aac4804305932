package dev.spillway.infra.data;

import software.amazon.awscdk.StackProps;

/** What {@link DataStack} needs beyond the usual stack settings. */
public interface DataStackProps extends StackProps {

    /** Settings of the tier queues. */
    PriorityQueuesProps getQueues();

    /** Days a batch output or large result under {@code results/} is kept. */
    int getResultsRetentionDays();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private PriorityQueuesProps queues = PriorityQueuesProps.builder().build();
        private int resultsRetentionDays = 30;
        private String description;

        public Builder queues(final PriorityQueuesProps value) {
            this.queues = value;
            return this;
        }

        public Builder resultsRetentionDays(final int value) {
            this.resultsRetentionDays = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public DataStackProps build() {
            final PriorityQueuesProps q = queues;
            final int days = resultsRetentionDays;
            final String desc = description;
            return new DataStackProps() {
                @Override
                public PriorityQueuesProps getQueues() {
                    return q;
                }

                @Override
                public int getResultsRetentionDays() {
                    return days;
                }

                @Override
                public String getDescription() {
                    return desc;
                }
            };
        }
    }
}
