package dev.spillway.backend.worker;

import java.time.Clock;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;

/**
 * A message the queue gave up on (too many receives) means its job will never run: mark the job FAILED with
 * a reason the client can read, tell any waiter, and remove the dead letter. A worker sweeps the dead-letter
 * queues of the fleets it reads.
 */
@ApplicationScoped
public class DeadLetterSweeper {

    private static final Logger LOG = Logger.getLogger(DeadLetterSweeper.class);

    private final WorkQueue queue;
    private final Set<String> fleets;
    private final JobStore store;
    private final CompletionNotices notices;
    private final SpillwayMetrics metrics;
    private final Clock clock;

    public DeadLetterSweeper(WorkQueue queue, Fleets fleets, ModelsConfig models, JobStore store,
            CompletionNotices notices, SpillwayMetrics metrics, Clock clock) {
        this.queue = queue;
        this.fleets = fleets.serving(models.served().keySet());
        this.store = store;
        this.notices = notices;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** @return how many dead letters were handled */
    public int sweep() {
        int handled = 0;
        for (String fleet : fleets) {
            for (Tier tier : Tier.values()) {
                handled += sweep(fleet, tier);
            }
        }
        return handled;
    }

    private int sweep(String fleet, Tier tier) {
        int handled = 0;
        for (QueuedMessage dead : queue.receiveDeadLetters(fleet, tier, 10)) {
            if (dead.jobId() != null && store.failUnfinished(dead.jobId(), JobError.server("delivery_attempts_exhausted",
                    "The job could not be completed: every delivery attempt failed (" + (dead.receiveCount() - 1)
                            + " attempts). Check the engine for this model and submit again."),
                    clock.instant())) {
                LOG.warnf("job %s dead-lettered on the %s %s queue: marked FAILED", dead.jobId(), fleet,
                        tier.wireName());
                metrics.jobOutcome(tier, "dead_lettered");
                notices.publish(dead.jobId());
            }
            queue.delete(dead);
            handled++;
        }
        return handled;
    }
}
