package dev.spillway.infra.data;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/** One tier's work queue (the {@code Resource} child) and its dead-letter queue ({@code Dlq}). */
public final class TierQueue extends Construct {

    private final Tier tier;
    private final Queue queue;
    private final Queue deadLetterQueue;

    TierQueue(final Construct scope, final Tier tier, final PriorityQueuesProps props) {
        super(scope, tier.constructId());
        this.tier = tier;
        this.deadLetterQueue = Queue.Builder.create(this, "Dlq")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(props.dlqRetention())
                .build();
        this.queue = Queue.Builder.create(this, "Resource")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(props.visibilityTimeout())
                .retentionPeriod(props.retention())
                .receiveMessageWaitTime(Duration.seconds(20))
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetterQueue)
                        .maxReceiveCount(props.maxReceiveCount())
                        .build())
                .build();
    }

    public Tier tier() {
        return tier;
    }

    public IQueue queue() {
        return queue;
    }

    public IQueue deadLetterQueue() {
        return deadLetterQueue;
    }
}
