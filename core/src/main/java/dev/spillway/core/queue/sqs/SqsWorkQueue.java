package dev.spillway.core.queue.sqs;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.config.MergeConfig;
import dev.spillway.core.config.QueuesConfig;
import dev.spillway.core.fault.RetryBackoff;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import dev.spillway.core.merge.GroupCommit;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueueDepth;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * {@link WorkQueue} on one SQS queue (and dead-letter queue) per fleet and tier. Bodies are {@code {"job":"<id>"}}.
 * With merging on, concurrent {@link #send}s to a queue leave together in {@code SendMessageBatch} calls.
 */
@ApplicationScoped
public class SqsWorkQueue implements WorkQueue {

    private static final Logger LOG = Logger.getLogger(SqsWorkQueue.class);
    /** SQS takes at most ten entries per {@code SendMessageBatch}; ten job-id bodies are far below its size cap. */
    static final int MAX_BATCH_ENTRIES = 10;
    /** Calls per batch: the first, and retries of entries that failed on SQS's side. */
    private static final int MAX_BATCH_ATTEMPTS = 3;
    private static final RetryBackoff FAILED_ENTRY_BACKOFF = new RetryBackoff(Duration.ofMillis(20),
            Duration.ofMillis(40));
    private static final String DOWNSTREAM = "sqs-send";

    private final SqsClient sqs;
    private final Fleets fleets;
    private final ObjectMapper json;
    private final IntConsumer calls;
    private final int mergeConcurrency;
    /** One merger per queue, as a batch goes to one queue, made on its first send; none when merging is off. */
    private final Map<String, GroupCommit<String, String>> mergers = new ConcurrentHashMap<>();

    @Inject
    public SqsWorkQueue(SqsClient sqs, Fleets fleets, ObjectMapper json, MergeConfig merge,
            SpillwayMetrics metrics) {
        this(sqs, fleets, json, merge.enabled() ? merge.maxConcurrentCalls() : 0, metrics);
    }

    /** One call per send, unmetered. */
    public SqsWorkQueue(SqsClient sqs, Fleets fleets, ObjectMapper json) {
        this(sqs, fleets, json, 0, null);
    }

    /**
     * @param mergeConcurrency batch calls in flight at once per tier when merging concurrent sends; 0 sends each
     *        alone
     * @param metrics where each call's size is recorded, or null
     */
    public SqsWorkQueue(SqsClient sqs, Fleets fleets, ObjectMapper json, int mergeConcurrency,
            SpillwayMetrics metrics) {
        this.sqs = sqs;
        this.fleets = fleets;
        this.json = json;
        this.mergeConcurrency = mergeConcurrency;
        this.calls = metrics == null ? items -> {
        } : items -> metrics.writeCall(DOWNSTREAM, items);
    }

    @Override
    public void send(String fleet, Tier tier, String jobId) {
        String url = fleets.queue(fleet, tier).url();
        if (mergeConcurrency > 0) {
            mergers.computeIfAbsent(url, ignored -> new GroupCommit<>(MAX_BATCH_ENTRIES, mergeConcurrency,
                    Function.identity(), jobIds -> sendAll(url, jobIds))).submit(jobId);
        } else {
            sendOne(url, jobId);
        }
    }

    private void sendOne(String url, String jobId) {
        calls.accept(1);
        sqs.sendMessage(b -> b.queueUrl(url).messageBody(body(jobId)));
    }

    private String body(String jobId) {
        return json.createObjectNode().put("job", jobId).toString();
    }

    /**
     * {@code SendMessageBatch}, ten a call. An entry SQS failed on its own side is sent again (twice at most); one
     * it refused as the sender's fault fails alone. A call refused whole as invalid is redone one send per job id,
     * so only the bad one fails; a call that fails otherwise (SQS unreachable) fails each of its job ids.
     */
    @Override
    public Map<String, RuntimeException> sendAll(String fleet, Tier tier, List<String> jobIds) {
        return sendAll(fleets.queue(fleet, tier).url(), jobIds);
    }

    private Map<String, RuntimeException> sendAll(String url, List<String> jobIds) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        if (jobIds.size() == 1) {
            // Alone, the plain call: same cost, and its errors are SQS's own exceptions.
            try {
                sendOne(url, jobIds.get(0));
            } catch (RuntimeException e) {
                failures.put(jobIds.get(0), e);
            }
            return failures;
        }
        for (int from = 0; from < jobIds.size(); from += MAX_BATCH_ENTRIES) {
            List<String> chunk = jobIds.subList(from, Math.min(jobIds.size(), from + MAX_BATCH_ENTRIES));
            try {
                failures.putAll(sendBatch(url, chunk));
            } catch (SqsException refused) {
                if (!isRefusedAsInvalid(refused)) {
                    chunk.forEach(jobId -> failures.put(jobId, refused));
                    continue;
                }
                // One bad entry can make SQS refuse the whole call: send one by one so only that one fails.
                for (String jobId : chunk) {
                    try {
                        sendOne(url, jobId);
                    } catch (RuntimeException e) {
                        failures.put(jobId, e);
                    }
                }
            } catch (RuntimeException unreachable) {
                chunk.forEach(jobId -> failures.put(jobId, unreachable));
            }
        }
        return failures;
    }

    private Map<String, RuntimeException> sendBatch(String url, List<String> jobIds) {
        // Entries are named by position: ids must be unique within a call, and a job id could repeat.
        Map<String, String> pending = new LinkedHashMap<>();
        for (int i = 0; i < jobIds.size(); i++) {
            pending.put(Integer.toString(i), jobIds.get(i));
        }
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<SendMessageBatchRequestEntry> entries = pending.entrySet().stream()
                    .map(e -> SendMessageBatchRequestEntry.builder().id(e.getKey()).messageBody(body(e.getValue()))
                            .build())
                    .toList();
            calls.accept(entries.size());
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(url).entries(entries));
            Map<String, String> retry = new LinkedHashMap<>();
            for (BatchResultErrorEntry error : response.failed()) {
                String jobId = pending.get(error.id());
                if (!error.senderFault() && attempt < MAX_BATCH_ATTEMPTS) {
                    retry.put(error.id(), jobId);
                } else {
                    failures.put(jobId, entryFailure(error));
                }
            }
            pending = retry;
            if (!pending.isEmpty() && !FAILED_ENTRY_BACKOFF.pause(attempt)) {
                pending.values().forEach(jobId -> failures.put(jobId,
                        SqsException.builder().message("interrupted before retrying the send").build()));
                break;
            }
        }
        return failures;
    }

    /** The sender's fault, other than throttling (which a resend per entry would only make worse). */
    private static boolean isRefusedAsInvalid(SqsException e) {
        return e.statusCode() == 400 && !e.isThrottlingException();
    }

    /** A failed batch entry as the exception SQS would have thrown for a {@code SendMessage} of its own. */
    private static RuntimeException entryFailure(BatchResultErrorEntry error) {
        return SqsException.builder()
                .message(error.code() + ": " + error.message())
                .statusCode(error.senderFault() ? 400 : 500)
                .awsErrorDetails(AwsErrorDetails.builder().serviceName("Sqs").errorCode(error.code())
                        .errorMessage(error.message()).build())
                .build();
    }

    @Override
    public QueueDepth depth(String fleet, Tier tier) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(fleets.queue(fleet, tier).url())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return new QueueDepth(fleet, tier, count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(attributes, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }

    @Override
    public List<QueuedMessage> receive(String fleet, Tier tier, int max, Duration wait, Duration visibility) {
        return receive(fleet, tier, false, fleets.queue(fleet, tier).url(), max, wait, Optional.of(visibility));
    }

    @Override
    public List<QueuedMessage> receiveDeadLetters(String fleet, Tier tier, int max) {
        return fleets.queue(fleet, tier).dlqUrl()
                .map(url -> receive(fleet, tier, true, url, max, Duration.ZERO, Optional.<Duration> empty()))
                .orElse(List.of());
    }

    private List<QueuedMessage> receive(String fleet, Tier tier, boolean deadLetter, String url, int max, Duration wait,
            Optional<Duration> visibility) {
        return sqs.receiveMessage(b -> {
            b.queueUrl(url)
                    .maxNumberOfMessages(Math.max(1, Math.min(10, max)))
                    .waitTimeSeconds((int) Math.min(20, wait.toSeconds()))
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
            visibility.ifPresent(v -> b.visibilityTimeout((int) Math.max(0, v.toSeconds())));
        }).messages().stream()
                .map(m -> toQueued(fleet, tier, deadLetter, m))
                .toList();
    }

    private QueuedMessage toQueued(String fleet, Tier tier, boolean deadLetter, Message message) {
        Map<MessageSystemAttributeName, String> attributes = message.attributes();
        int receiveCount = Integer.parseInt(
                attributes.getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
        return new QueuedMessage(fleet, tier, deadLetter, message.messageId(), jobId(message.body()),
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
        QueuesConfig.TierQueue queue = fleets.queue(message.fleet(), message.tier());
        return message.deadLetter() ? queue.dlqUrl().orElseThrow() : queue.url();
    }
}
