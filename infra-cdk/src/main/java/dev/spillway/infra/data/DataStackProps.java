package dev.spillway.infra.data;

import java.util.List;

import software.amazon.awscdk.StackProps;

/** What {@link DataStack} needs beyond the usual stack settings. */
public interface DataStackProps extends StackProps {

    /** Settings of the tier queues. */
    PriorityQueuesProps getQueues();

    /** Days a batch output or large result under {@code results/} is kept. */
    int getResultsRetentionDays();

    /**
     * The models (names clients send) that get tier queues of their own, a fleet each; every other model's jobs use
     * the shared tier queues.
     */
    List<String> getModelFleets();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private PriorityQueuesProps queues = PriorityQueuesProps.builder().build();
        private int resultsRetentionDays = 30;
        private List<String> modelFleets = List.of();
        private String description;

        public Builder modelFleets(final List<String> value) {
            this.modelFleets = List.copyOf(value);
            return this;
        }

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
            final List<String> fleets = modelFleets;
            return new DataStackProps() {
                @Override
                public List<String> getModelFleets() {
                    return fleets;
                }

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
