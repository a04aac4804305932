package dev.spillway.core.schedule.reaper;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.JobStore.Overdue;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Returns to its queue every RUNNING job whose lease lapsed (its worker died and nothing took it over) and marks
 * EXPIRED every job left waiting past its deadline. Candidates come from the jobs table's sparse indexes, never a
 * scan; each action is a conditional write, so concurrent or repeated ticks act on a job once: only the reaper
 * whose reclaim wins sends the job's message again.
 */
@ApplicationScoped
public class Reaper implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(Reaper.class);

    private final JobStore store;
    private final WorkQueue queue;
    private final Fleets fleets;
    private final ReaperConfig config;
    private final SpillwayMetrics metrics;

    @Inject
    public Reaper(JobStore store, WorkQueue queue, Fleets fleets, ReaperConfig config, SpillwayMetrics metrics) {
        this.store = store;
        this.queue = queue;
        this.fleets = fleets;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "reaper";
    }

    /**
     * @throws IllegalStateException after the whole sweep, when some candidates could not be handled (the next tick
     *         retries those still overdue)
     */
    @Override
    public void run(Instant now) {
        if (!config.enabled()) {
            return;
        }
        Sweep sweep = new Sweep();
        for (Overdue lease : store.lapsedLeases(now.minus(config.leaseGrace()), config.maxPerTick())) {
            sweep.handle(lease, () -> reclaimOrExpire(lease, now, sweep));
        }
        for (Overdue queued : store.pastDeadline(now, config.maxPerTick())) {
            sweep.handle(queued, () -> expire(queued, now, sweep));
        }
        metrics.reaped(sweep.reclaimed, sweep.expired);
        if (sweep.reclaimed + sweep.expired > 0) {
            LOG.infof("reaper: %d jobs returned to their queue, %d expired", sweep.reclaimed, sweep.expired);
        }
        if (sweep.failures > 0) {
            throw new IllegalStateException("reaper: " + sweep.failures + " overdue jobs not handled, last: "
                    + sweep.lastFailure, sweep.lastFailure);
        }
    }

    /** A lapsed lease past its deadline is not worth running again; otherwise the job goes back to its queue. */
    private void reclaimOrExpire(Overdue lease, Instant now, Sweep sweep) {
        if (lease.deadline() != null && lease.deadline().isBefore(now)) {
            expire(lease, now, sweep);
            return;
        }
        if (store.reclaim(lease.id(), lease.leaseOwner(), lease.leaseUntil(), now)) {
            // Only the winner of the conditional write gets here. If this send fails the job stays QUEUED without a
            // new message: the old one, if SQS still holds it, reaches a worker; else the deadline expires the job.
            // The lease index does not carry the model, so the job is read for its fleet: reclaims are rare.
            String fleet = fleets.of(store.find(lease.id()).orElseThrow(
                    () -> new IllegalStateException("job " + lease.id() + " vanished after its reclaim")).model());
            queue.send(fleet, lease.tier(), lease.id());
            sweep.reclaimed++;
            LOG.infof("job %s: lease of %s lapsed at %s; returned to the %s %s queue", lease.id(), lease.leaseOwner(),
                    lease.leaseUntil(), fleet, lease.tier().wireName());
        }
    }

    private void expire(Overdue job, Instant now, Sweep sweep) {
        if (store.expire(job.id(), now)) {
            sweep.expired++;
            LOG.infof("job %s expired: its deadline %s passed before it finished", job.id(), job.deadline());
        }
    }

    /** Counts of one run; one candidate's failure is recorded and the sweep goes on. */
    private static final class Sweep {
        int reclaimed;
        int expired;
        int failures;
        RuntimeException lastFailure;

        void handle(Overdue candidate, Runnable action) {
            try {
                action.run();
            } catch (RuntimeException e) {
                failures++;
                lastFailure = e;
                LOG.warnf("reaper could not handle job %s: %s", candidate.id(), e.toString());
            }
        }
    }
}
