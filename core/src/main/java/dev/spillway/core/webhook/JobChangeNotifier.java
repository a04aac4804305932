package dev.spillway.core.webhook;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Turns a batch of jobs-table stream records, in stream order, into webhook deliveries. Used by the Lambda notifier
 * (DynamoDB Streams event source) and the local stack's stream poller alike.
 */
@ApplicationScoped
public class JobChangeNotifier {

    private static final Logger LOG = Logger.getLogger(JobChangeNotifier.class);

    /** One stream record: its sequence number and the item before and after (either may be null). */
    public record Change(String sequenceNumber, Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
    }

    private final WebhookNotifier notifier;

    public JobChangeNotifier(WebhookNotifier notifier) {
        this.notifier = notifier;
    }

    /**
     * Delivers the webhook of every job these records move into a final state. A record that is not a job is logged
     * and skipped (retrying cannot fix it). Processing stops at the first record that fails for a reason that may
     * pass (job store unreachable, delivery held by another notifier): the stream redelivers from there, and the
     * records before it, already handled, are found delivered.
     *
     * @return the sequence number of the record that failed, or empty when the whole batch is done
     */
    public Optional<String> process(List<Change> changes) {
        for (Change change : changes) {
            Optional<String> jobId;
            try {
                jobId = FinalTransitions.jobToNotify(change.oldImage(), change.newImage());
            } catch (RuntimeException malformed) {
                LOG.warnf("skipping stream record %s: %s", change.sequenceNumber(), malformed.getMessage());
                continue;
            }
            if (jobId.isEmpty()) {
                continue;
            }
            try {
                WebhookNotifier.Outcome outcome = notifier.deliver(jobId.get());
                LOG.debugf("webhook of job %s: %s", jobId.get(), outcome);
            } catch (RuntimeException transientFailure) {
                LOG.warnf("webhook of job %s not delivered yet (record %s will be retried): %s", jobId.get(),
                        change.sequenceNumber(), transientFailure.toString());
                return Optional.of(change.sequenceNumber() == null ? "" : change.sequenceNumber());
            }
        }
        return Optional.empty();
    }
}
