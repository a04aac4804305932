package dev.spillway.infra.data;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The queue producers put chat-completion requests on instead of calling HTTP (the {@code Resource} child), drained
 * by the ingest function, and its dead-letter queue ({@code Dlq}) where invalid messages end with their reason.
 */
public final class IngestQueue extends Construct {

    /**
     * Six times the ingest function's timeout, as AWS advises for an SQS event source, so a message is not
     * redelivered while a slow invocation still holds it.
     */
    public static final Duration VISIBILITY_TIMEOUT = Duration.seconds(180);

    private final Queue queue;
    private final Queue deadLetterQueue;

    public IngestQueue(final Construct scope, final String id, final int maxReceiveCount) {
        super(scope, id);
        this.deadLetterQueue = Queue.Builder.create(this, "Dlq")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        this.queue = Queue.Builder.create(this, "Resource")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(VISIBILITY_TIMEOUT)
                .retentionPeriod(Duration.days(4))
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetterQueue)
                        .maxReceiveCount(maxReceiveCount)
                        .build())
                .build();
    }

    public IQueue queue() {
        return queue;
    }

    public IQueue deadLetterQueue() {
        return deadLetterQueue;
    }
}
