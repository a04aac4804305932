package dev.spillway.backend.worker;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;

/**
 * A message the queue gave up on (too many receives) means its job will never run: mark the job FAILED with
 * a reason the client can read, tell any waiter, and remove the dead letter.
 */
@ApplicationScoped
public class DeadLetterSweeper {

    private static final Logger LOG = Logger.getLogger(DeadLetterSweeper.class);

    private final WorkQueue queue;
    private final JobStore store;
    private final CompletionNotices notices;
    private final SpillwayMetrics metrics;
    private final Clock clock;

    public DeadLetterSweeper(WorkQueue queue, JobStore store, CompletionNotices notices, SpillwayMetrics metrics,
            Clock clock) {
        this.queue = queue;
        this.store = store;
        this.notices = notices;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** @return how many dead letters were handled */
    public int sweep() {
        int handled = 0;
        for (Tier tier : Tier.values()) {
            for (QueuedMessage dead : queue.receiveDeadLetters(tier, 10)) {
                if (dead.jobId() != null && store.failUnfinished(dead.jobId(), JobError.server("delivery_attempts_exhausted",
                        "The job could not be completed: every delivery attempt failed (" + (dead.receiveCount() - 1)
                                + " attempts). Check the engine for this model and submit again."),
                        clock.instant())) {
                    LOG.warnf("job %s dead-lettered on the %s tier: marked FAILED", dead.jobId(), tier.wireName());
                    metrics.jobOutcome(tier, "dead_lettered");
                    notices.publish(dead.jobId());
                }
                queue.delete(dead);
                handled++;
            }
        }
        return handled;
    }
}
