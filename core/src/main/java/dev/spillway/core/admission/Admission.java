package dev.spillway.core.admission;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.spillway.core.Sha256;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.eta.FinishEstimator;
import dev.spillway.core.fault.IntakeGuards;
import dev.spillway.core.forecast.Arrivals;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;

/**
 * The spill lane's admission: a request becomes a durable job (stored, then queued) or is refused with nothing
 * left behind. A request with an {@code Idempotency-Key} gets the job its key already names instead of a copy.
 */
@ApplicationScoped
public class Admission {

    private static final Logger LOG = Logger.getLogger(Admission.class);

    private final JobStore store;
    private final WorkQueue queue;
    private final Fleets fleets;
    private final FinishEstimator estimator;
    private final JobsConfig jobs;
    private final IntakeGuards guards;
    private final Arrivals arrivals;
    private final Clock clock;

    public Admission(JobStore store, WorkQueue queue, Fleets fleets, FinishEstimator estimator, JobsConfig jobs,
            IntakeGuards guards, Arrivals arrivals, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.fleets = fleets;
        this.estimator = estimator;
        this.jobs = jobs;
        this.guards = guards;
        this.arrivals = arrivals;
        this.clock = clock;
    }

    /** The outcome: the job now queued, or (replayed) the one an earlier request with the same key created. */
    public record Admitted(Job job, boolean replayed) {
    }

    /** The job this request would become, not yet stored: its id can be claimed (coalescing) before admission. */
    public Job newJob(CheckedRequest checked) {
        Instant now = clock.instant();
        return Job.queued(JobIds.next(), checked.caller().tenant(), checked.tier(), checked.request(),
                checked.writeKey(), now, now.plus(jobs.deadline())).withCallbackUrl(checked.callbackUrl());
    }

    public Admitted admit(CheckedRequest checked) {
        return admit(checked, newJob(checked));
    }

    /**
     * Stores and queues {@code job} (from {@link #newJob}) with its estimated finish, or refuses with a 503 and nothing
     * left behind.
     */
    public Admitted admit(CheckedRequest checked, Job newJob) {
        MDC.put("jobId", newJob.id());
        // Estimated before the send, from the backlog the job joins; stored with it, so every read can show it.
        Job job = newJob.withEstimatedFinishAt(estimator.estimate(newJob.model(), newJob.tier()).orElse(null));
        String idempotencyId = checked.idempotencyKey() == null ? null
                : IdempotencyKeys.id(checked.caller(), checked.idempotencyKey());
        try {
            if (idempotencyId == null) {
                guards.store(() -> store.create(job));
            } else {
                String requestHash = requestHash(checked);
                Instant keyExpires = clock.instant().plus(jobs.idempotencyRetention());
                JobStore.IdempotentCreate created = guards.store(
                        () -> store.createIdempotent(job, idempotencyId, requestHash, keyExpires),
                        JobStore.IdempotentCreate.class);
                if (!created.created()) {
                    return new Admitted(replay(checked, created, requestHash), true);
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            LOG.warnf("job store unavailable, request refused: %s", e.toString());
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the request; nothing was accepted. Retry shortly.",
                    guards.storeRetryAfter(e));
        }
        try {
            guards.queue(() -> queue.send(fleets.of(job.model()), job.tier(), job.id()));
        } catch (Exception e) {
            LOG.warnf("queue unavailable, withdrawing job %s: %s", job.id(), e.toString());
            try {
                guards.store(() -> store.withdraw(job.id(), idempotencyId));
            } catch (Exception withdrawFailed) {
                LOG.errorf("job %s stored but not queued and not withdrawn: %s", job.id(), withdrawFailed.toString());
            }
            throw ApiException.unavailable("queue_unavailable",
                    "Spillway could not queue the request; nothing was accepted. Retry shortly.",
                    guards.queueRetryAfter(e));
        }
        arrivals.admitted(job);
        return new Admitted(job, false);
    }

    /** The job an earlier submit with the same key created, if it was for the same request. */
    private Job replay(CheckedRequest checked, JobStore.IdempotentCreate earlier, String requestHash) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw IdempotencyKeys.reused();
        }
        return store.find(earlier.jobId()).filter(job -> job.tenant().equals(checked.caller().tenant()))
                .orElseThrow(IdempotencyKeys::stillInUse);
    }

    /**
     * What makes two submits "the same request": everything that shapes the answer, the user label, the tier and
     * where the webhook goes.
     */
    private static String requestHash(CheckedRequest checked) {
        return Sha256.hex(CacheKeys.of(checked.caller().tenant(), checked.request()) + "|" + checked.request().user()
                + "|" + checked.tier().name() + (checked.callbackUrl() == null ? "" : "|" + checked.callbackUrl()));
    }
}
