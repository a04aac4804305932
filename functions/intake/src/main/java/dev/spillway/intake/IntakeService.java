package dev.spillway.intake;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.admission.Admission;
import dev.spillway.core.admission.CheckedRequest;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.intake.direct.DirectAnswer;
import dev.spillway.intake.direct.DirectLane;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Accepts requests of every endpoint (chat and text completions, embeddings): checks them, answers from the cache when it may, then from an upstream target
 * with capacity (the direct lane) when the caller waits, else attaches to an identical request in flight or admits
 * a job of its own (the spill lane).
 */
@ApplicationScoped
public class IntakeService {

    private final RequestChecks checks;
    private final CacheLane cacheLane;
    private final DirectLane directLane;
    private final Admission admission;
    private final SpillwayMetrics metrics;

    public IntakeService(RequestChecks checks, CacheLane cacheLane, DirectLane directLane, Admission admission,
            SpillwayMetrics metrics) {
        this.checks = checks;
        this.cacheLane = cacheLane;
        this.directLane = directLane;
        this.admission = admission;
        this.metrics = metrics;
    }

    public Submission submit(IntakeRequest submitted) {
        CheckedRequest checked = checks.check(submitted);
        Optional<CacheHit> hit = cacheLane.lookup(checked);
        if (hit.isPresent()) {
            return answered(hit.get(), checked);
        }
        String cacheStatus = checked.readsCache() ? "miss" : "bypass";

        if (mayGoDirect(checked) && checked.request().stream()) {
            String key = checked.writeKey();
            Optional<DirectAnswer> answer = directLane.stream(checked, submitted.waitBudget(),
                    // the stream ends on an event loop; storing reaches Redis, so it runs on a worker thread
                    key == null ? null : completion -> Infrastructure.getDefaultWorkerPool()
                            .execute(() -> cacheLane.store(key, completion))).toCompletableFuture().join();
            if (answer.isPresent()) {
                metrics.request("direct", cacheStatus);
                return Submission.direct(answer.get(), cacheStatus, checked.request());
            }
        } else if (mayGoDirect(checked)) {
            Optional<DirectAnswer> answer = directLane.serve(checked, submitted.waitBudget()).toCompletableFuture()
                    .join();
            if (answer.isPresent()) {
                if (checked.writeKey() != null) { // reading the answer into a completion is only worth it to keep it
                    cacheLane.store(checked.writeKey(), answer.get().completion());
                }
                metrics.request("direct", cacheStatus);
                return Submission.direct(answer.get(), cacheStatus, checked.request());
            }
        }

        Job job = admission.newJob(checked);
        CacheLane.Flight flight = cacheLane.join(checked, job);
        if (flight.attachedJob().isPresent()) {
            metrics.request("spill", "coalesced");
            return Submission.queued(flight.attachedJob().get(), "coalesced", checked.request());
        }
        Admission.Admitted admitted;
        try {
            admitted = admission.admit(checked, job);
        } catch (RuntimeException e) {
            flight.failed(e);
            throw e;
        }
        if (admitted.replayed()) {
            return Submission.replayed(admitted.job(), checked.request());
        }
        flight.admitted(admitted.job());
        metrics.request("spill", cacheStatus);
        return Submission.queued(admitted.job(), cacheStatus, checked.request());
    }

    /**
     * Answers from this instance's memory alone (the L1 cache), with no network call, so it may run on an event
     * loop and a cache hit need not queue behind blocking work. Empty when the request needs the full path: a rate
     * limit to spend (Redis), a callback host to resolve, no cache read allowed, or no answer in memory.
     */
    public Optional<Submission> answerFromMemory(IntakeRequest submitted) {
        if (submitted.caller().isRateLimited() || submitted.callbackUrl() != null
                || !submitted.cachePolicy().read()) {
            return Optional.empty();
        }
        CheckedRequest checked = checks.check(submitted);
        return cacheLane.lookupInMemory(checked).map(hit -> answered(hit, checked));
    }

    private Submission answered(CacheHit hit, CheckedRequest checked) {
        Submission answered = Submission.fromCache(hit, checked.request());
        metrics.request("cache", answered.cacheStatus());
        return answered;
    }

    /**
     * Only a caller that waits is answered direct, and only when a job is not owed: an idempotent submit must get
     * the same job when retried, a callback needs a job to report, and the batch tier always queues.
     */
    private boolean mayGoDirect(CheckedRequest checked) {
        return checked.source().callerWaits() && checked.idempotencyKey() == null && checked.callbackUrl() == null
                && checked.tier() != Tier.BATCH
                && directLane.serves(checked.request().model(), checked.request().kind());
    }
}
