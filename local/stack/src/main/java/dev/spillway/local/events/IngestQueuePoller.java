package dev.spillway.local.events;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.spillway.core.ingest.IngestConfig;
import dev.spillway.core.ingest.IngestMessage;
import dev.spillway.core.ingest.IngestService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The ingest Lambda's event source, locally: long-polls the ingest queue, hands each batch to
 * {@link IngestService} and deletes what it is done with. A message to retry is left alone: it reappears after the
 * visibility timeout and, after {@code maxReceiveCount} receives, the queue's redrive moves it to the DLQ, as SQS
 * does for the Lambda.
 */
@ApplicationScoped
public class IngestQueuePoller {

    private static final Logger LOG = Logger.getLogger(IngestQueuePoller.class);
    private static final Duration LONG_POLL_MARGIN = Duration.ofSeconds(10);

    private final IngestService ingest;
    private final IngestConfig ingestConfig;
    private final LocalEventsConfig config;
    private final SqsClient sqs;
    private PollingLoop loop;

    public IngestQueuePoller(IngestService ingest, IngestConfig ingestConfig, LocalEventsConfig config, SqsClient sqs) {
        this.ingest = ingest;
        this.ingestConfig = ingestConfig;
        this.config = config;
        this.sqs = sqs;
    }

    void start(@Observes StartupEvent started) {
        if (!config.ingestPoller()) {
            return;
        }
        if (ingestConfig.queueUrl().isEmpty()) {
            LOG.info("ingest poller off: spillway.ingest.queue-url is not set");
            return;
        }
        String url = ingestConfig.queueUrl().get();
        // The long poll is the wait: no pause between polls.
        loop = PollingLoop.start("ingest-poller", Duration.ZERO, Duration.ZERO, () -> pollOnce(url));
        LOG.infof("ingest poller reading %s", url);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (loop != null) {
            loop.close();
        }
    }

    /** @return how many messages were received */
    int pollOnce(String url) {
        Duration wait = config.ingestWait();
        List<Message> messages = sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(url)
                .maxNumberOfMessages(10).waitTimeSeconds((int) Math.min(20, wait.toSeconds()))
                // The app's SDK call timeout is sized for short calls; a long poll outlasts it on purpose.
                .overrideConfiguration(o -> o.apiCallTimeout(wait.plus(LONG_POLL_MARGIN)))
                .build()).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        Set<String> retry = Set.copyOf(ingest.process(
                messages.stream().map(m -> new IngestMessage(m.messageId(), m.body())).toList()));
        for (Message message : messages) {
            if (!retry.contains(message.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
        }
        return messages.size();
    }
}
