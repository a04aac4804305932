package dev.spillway.local.events;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.spillway.core.ingest.IngestConfig;
import dev.spillway.core.ingest.IngestMessage;
import dev.spillway.core.ingest.IngestService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The ingest Lambda's event source, locally: receives from the ingest queue, hands each batch to
 * {@link IngestService} and deletes what it is done with. A message to retry is left alone: it reappears after the
 * visibility timeout and, after {@code maxReceiveCount} receives, the queue's redrive moves it to the DLQ, as SQS
 * does for the Lambda.
 */
@ApplicationScoped
public class IngestQueuePoller {

    private static final Logger LOG = Logger.getLogger(IngestQueuePoller.class);

    private final IngestService ingest;
    private final IngestConfig ingestConfig;
    private final LocalEventsConfig config;
    private final SqsClient sqs;
    private ExecutorService loop;
    private volatile boolean running;

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
        running = true;
        loop = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ingest-poller");
            thread.setDaemon(true);
            return thread;
        });
        loop.submit(this::run);
        LOG.infof("ingest poller reading %s", ingestConfig.queueUrl().get());
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        running = false;
        if (loop != null) {
            loop.shutdownNow();
            loop.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void run() {
        String url = ingestConfig.queueUrl().get();
        while (running) {
            try {
                if (pollOnce(url) == 0) {
                    Thread.sleep(config.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("ingest poller: %s", e.toString());
                try {
                    Thread.sleep(Math.max(1000, config.pollInterval().toMillis()));
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** @return how many messages were received */
    int pollOnce(String url) {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
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
