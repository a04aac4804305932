package dev.spillway.core.batch.webhook;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * On every scheduler tick, delivers the webhooks of the batches that asked for one and have become final. Only the
 * batches on the open-callbacks list (one item of the batches table) are visited, never the whole table. Late,
 * repeated or overlapping ticks are safe: each delivery is claimed on its batch record ({@link BatchWebhookNotifier}).
 */
@ApplicationScoped
public class BatchWebhooksTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(BatchWebhooksTask.class);

    private final BatchStore batches;
    private final BatchWebhookNotifier notifier;

    public BatchWebhooksTask(BatchStore batches, BatchWebhookNotifier notifier) {
        this.batches = batches;
        this.notifier = notifier;
    }

    @Override
    public String name() {
        return "batch-webhooks";
    }

    @Override
    public void run(Instant now) {
        List<String> open = batches.openCallbackIds();
        if (open.isEmpty()) {
            return;
        }
        String masterSecret = notifier.masterSecret();
        RuntimeException first = null;
        int failed = 0;
        for (String batchId : open) {
            try {
                BatchWebhookNotifier.Outcome outcome = notifier.deliver(batchId, masterSecret);
                LOG.debugf("webhook of batch %s: %s", batchId, outcome);
            } catch (RuntimeException e) {
                // One batch's trouble must not hold back the others; the next tick tries it again.
                LOG.warnf("webhook of batch %s not handled this time: %s", batchId, e.toString());
                failed++;
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw new IllegalStateException(failed + " batch webhooks could not be handled", first);
        }
    }
}
