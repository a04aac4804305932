package dev.spillway.core.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.config.QueuesConfig;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;

/** {@link WorkQueue} on one SQS queue (and dead-letter queue) per tier. Bodies are {@code {"job":"<id>"}}. */
@ApplicationScoped
public class SqsWorkQueue implements WorkQueue {

    private static final Logger LOG = Logger.getLogger(SqsWorkQueue.class);

    private final SqsClient sqs;
    private final QueuesConfig queues;
    private final ObjectMapper json;

    public SqsWorkQueue(SqsClient sqs, QueuesConfig queues, ObjectMapper json) {
        this.sqs = sqs;
        this.queues = queues;
        this.json = json;
    }

    @Override
    public void send(Tier tier, String jobId) {
        String body = json.createObjectNode().put("job", jobId).toString();
        sqs.sendMessage(b -> b.queueUrl(queues.of(tier).url()).messageBody(body));
    }

    @Override
    public List<QueuedMessage> receive(Tier tier, int max, Duration wait, Duration visibility) {
        return receive(tier, false, queues.of(tier).url(), max, wait, Optional.of(visibility));
    }

    @Override
    public List<QueuedMessage> receiveDeadLetters(Tier tier, int max) {
        return queues.of(tier).dlqUrl()
                .map(url -> receive(tier, true, url, max, Duration.ZERO, Optional.<Duration> empty()))
                .orElse(List.of());
    }

    private List<QueuedMessage> receive(Tier tier, boolean deadLetter, String url, int max, Duration wait,
            Optional<Duration> visibility) {
        return sqs.receiveMessage(b -> {
            b.queueUrl(url)
                    .maxNumberOfMessages(Math.max(1, Math.min(10, max)))
                    .waitTimeSeconds((int) Math.min(20, wait.toSeconds()))
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
            visibility.ifPresent(v -> b.visibilityTimeout((int) Math.max(0, v.toSeconds())));
        }).messages().stream()
                .map(m -> toQueued(tier, deadLetter, m))
                .toList();
    }

    private QueuedMessage toQueued(Tier tier, boolean deadLetter, Message message) {
        Map<MessageSystemAttributeName, String> attributes = message.attributes();
        int receiveCount = Integer.parseInt(
                attributes.getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
        return new QueuedMessage(tier, deadLetter, message.messageId(), jobId(message.body()),
                message.receiptHandle(), receiveCount);
    }

    private String jobId(String body) {
        try {
            JsonNode node = json.readTree(body);
            String id = node == null ? null : node.path("job").asText(null);
            return JobIds.isWellFormed(id) ? id : null;
        } catch (Exception notOurs) {
            return null;
        }
    }

    /**
     * A stale delivery (the message was received again since, with a newer receipt handle) can no longer delete or
     * hide the message: that is the newer delivery's job, and its holder sees the job's state. Not an error.
     */
    @Override
    public void delete(QueuedMessage message) {
        try {
            sqs.deleteMessage(b -> b.queueUrl(url(message)).receiptHandle(message.receiptHandle()));
        } catch (ReceiptHandleIsInvalidException stale) {
            LOG.debugf("message %s was received again since; its newer delivery will remove it", message.messageId());
        }
    }

    @Override
    public void changeVisibility(QueuedMessage message, Duration timeout) {
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(url(message)).receiptHandle(message.receiptHandle())
                    .visibilityTimeout((int) Math.max(0, Math.min(43_200, timeout.toSeconds()))));
        } catch (ReceiptHandleIsInvalidException | MessageNotInflightException stale) {
            LOG.debugf("message %s was received again since; its newer delivery decides when it returns",
                    message.messageId());
        }
    }

    private String url(QueuedMessage message) {
        QueuesConfig.TierQueue queue = queues.of(message.tier());
        return message.deadLetter() ? queue.dlqUrl().orElseThrow() : queue.url();
    }
}
