package dev.spillway.core.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatRequestParser;
import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.WorkQueue;

/**
 * Accepts chat-completion requests: validates, answers from the cache when it may, otherwise records a job
 * and queues it. A request is either durably accepted (job stored and queued) or refused with nothing left
 * behind.
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(2);

    private final IntakeConfig intake;
    private final JobsConfig jobs;
    private final ModelsConfig models;
    private final ChatRequestParser parser;
    private final ResultCache cache;
    private final JobStore store;
    private final WorkQueue queue;
    private final JobWaiter waiter;
    private final CompletionNotices notices;
    private final Clock clock;

    public IntakeService(IntakeConfig intake, JobsConfig jobs, ModelsConfig models, ResultCache cache,
            JobStore store, WorkQueue queue, JobWaiter waiter, CompletionNotices notices, Clock clock) {
        this.intake = intake;
        this.jobs = jobs;
        this.models = models;
        this.parser = new ChatRequestParser(models.models()::containsKey, intake.maxTokensLimit());
        this.cache = cache;
        this.store = store;
        this.queue = queue;
        this.waiter = waiter;
        this.notices = notices;
        this.clock = clock;
    }

    public Submission submit(Caller caller, byte[] body, CachePolicy policy, Tier tier) {
        if (body != null && body.length > intake.maxBodyBytes()) {
            throw new ApiException(413, ApiException.INVALID_REQUEST, "request_too_large", null,
                    "The request body is " + body.length + " bytes; the limit is " + intake.maxBodyBytes() + ".", null);
        }
        ChatCompletionRequest request = parser.parse(body);

        boolean cacheable = cache.enabled() && (request.isDeterministic() || policy.force());
        String cacheKey = cacheable ? CacheKeys.of(caller.tenant(), request) : null;
        if (cacheKey != null && policy.read()) {
            Optional<CacheHit> hit = cache.get(cacheKey);
            if (hit.isPresent()) {
                return Submission.fromCache(hit.get());
            }
        }
        String cacheStatus = cacheKey != null && policy.read() ? "miss" : "bypass";

        Instant now = clock.instant();
        Job job = Job.queued(JobIds.next(), caller.tenant(), tier, request, policy.write() ? cacheKey : null, now,
                now.plus(jobs.deadline()));
        try {
            store.create(job);
        } catch (RuntimeException e) {
            LOG.warnf("job store unavailable, request refused: %s", e.toString());
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the request; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        try {
            queue.send(tier, job.id());
        } catch (RuntimeException e) {
            LOG.warnf("queue unavailable, withdrawing job %s: %s", job.id(), e.toString());
            try {
                store.withdraw(job.id());
            } catch (RuntimeException withdrawFailed) {
                LOG.errorf("job %s stored but not queued and not withdrawn: %s", job.id(), withdrawFailed.toString());
            }
            throw ApiException.unavailable("queue_unavailable",
                    "Spillway could not queue the request; nothing was accepted. Retry shortly.", RETRY_UNAVAILABLE);
        }
        return Submission.queued(job, cacheStatus);
    }

    /** The caller's job; another tenant's job is indistinguishable from a missing one. */
    public Job find(Caller caller, String id) {
        if (!JobIds.isWellFormed(id)) {
            throw ApiException.invalid("job_id", "invalid_job_id",
                    "Invalid job id: expected 'job_' followed by 26 base-32 characters.");
        }
        return store.find(id)
                .filter(job -> job.tenant().equals(caller.tenant()))
                .orElseThrow(() -> ApiException.notFound("job_not_found", "No job with id '" + id + "'."));
    }

    public Job await(Job job, Duration budget) {
        return waiter.await(job, budget);
    }

    /** Cancels an unfinished job; a worker that holds or later receives it drops it. */
    public Job cancel(Caller caller, String id) {
        find(caller, id);
        Optional<Job> cancelled = store.cancel(id, caller.tenant(), clock.instant());
        if (cancelled.isPresent()) {
            notices.publish(id);
            return cancelled.get();
        }
        Job finished = find(caller, id);
        throw new ApiException(409, ApiException.CONFLICT, "job_already_finished", "job_id",
                "Job '" + id + "' already finished with status " + finished.status().wireName() + ".", null);
    }

    /** Clamps a client-chosen wait to the configured maximum. */
    public Duration clampWait(Duration requested) {
        if (requested.isNegative()) {
            return Duration.ZERO;
        }
        return requested.compareTo(intake.maxWait()) > 0 ? intake.maxWait() : requested;
    }

    public Duration defaultWait() {
        return clampWait(intake.defaultWait());
    }

    public Duration pollAfter() {
        return intake.pollAfter();
    }

    public Set<String> modelNames() {
        return new TreeSet<>(models.models().keySet());
    }

    public Caller caller() {
        return new Caller(intake.defaultTenant());
    }
}
