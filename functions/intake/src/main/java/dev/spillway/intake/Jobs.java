package dev.spillway.intake;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.notice.CompletionNotices;
import io.smallrye.mutiny.Uni;

/** A caller's jobs: read, awaited within a budget, cancelled. Another tenant's job does not exist for the caller. */
@ApplicationScoped
public class Jobs {

    private final JobStore store;
    private final JobWaiter waiter;
    private final CompletionNotices notices;
    private final CacheLane cacheLane;
    private final WaitBudgets waits;
    private final Clock clock;

    public Jobs(JobStore store, JobWaiter waiter, CompletionNotices notices, CacheLane cacheLane, WaitBudgets waits,
            Clock clock) {
        this.store = store;
        this.waits = waits;
        this.waiter = waiter;
        this.notices = notices;
        this.cacheLane = cacheLane;
        this.clock = clock;
    }

    public Job find(Caller caller, String id) {
        if (!JobIds.isWellFormed(id)) {
            throw ApiException.invalid("job_id", "invalid_job_id",
                    "Invalid job id: expected 'job_' followed by 26 base-32 characters.");
        }
        return store.find(id)
                .filter(job -> job.tenant().equals(caller.tenant()))
                .orElseThrow(() -> ApiException.notFound("job_not_found", "No job with id '" + id + "'."));
    }

    /**
     * The job once final, or as it stands when the budget runs out; no thread is held meanwhile. Subscribe on a
     * worker thread (see {@link JobWaiter#await}). A job estimated to finish after the budget is returned at once:
     * waiting would hold the request for the whole budget only to answer 202.
     */
    public Uni<Job> await(Job job, Duration budget) {
        if (waits.outlasts(job, budget)) {
            return Uni.createFrom().item(job);
        }
        return waiter.await(job, budget).invoke(current -> {
            if (current.status() == JobStatus.SUCCEEDED) {
                cacheLane.remember(current.cacheKey(), current.result());
            }
        });
    }

    /** Cancels an unfinished job; a worker that holds or later receives it drops it. */
    public Job cancel(Caller caller, String id) {
        find(caller, id);
        Optional<Job> cancelled = store.cancel(id, caller.tenant(), clock.instant());
        if (cancelled.isPresent()) {
            notices.publish(cancelled.get());
            return cancelled.get();
        }
        Job finished = find(caller, id);
        throw new ApiException(409, ApiException.CONFLICT, "job_already_finished", "job_id",
                "Job '" + id + "' already finished with status " + finished.status().wireName() + ".", null);
    }
}
