package dev.spillway.core.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.spillway.core.Sha256;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatRequestParser;
import dev.spillway.core.auth.RateLimiter;
import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.cache.CacheKeys;
import dev.spillway.core.cache.InFlightRequests;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.config.CacheConfig;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.fault.DownstreamGuards;
import dev.spillway.core.fault.DynamoDbGuardConfig;
import dev.spillway.core.fault.SqsGuardConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.upstream.DirectAnswer;
import dev.spillway.core.upstream.DirectLane;
import dev.spillway.core.webhook.CallbackUrls;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * Accepts chat-completion requests: validates, answers from the cache when it may, then from an upstream target
 * with capacity (the direct lane) when the caller waits, otherwise records a job and queues it (the spill lane). A
 * spilled request is either durably accepted (job stored and queued) or refused with nothing left behind.
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(2);
    private static final int DEFAULT_OUTPUT_ESTIMATE = 256;

    private final IntakeConfig intake;
    private final JobsConfig jobs;
    /** The model names clients may send; the configuration is fixed for the life of the process. */
    private final Set<String> servedModels;
    private final ChatRequestParser parser;
    private final ResultCache cache;
    private final CacheConfig cacheConfig;
    private final InFlightRequests inFlight;
    private final JobStore store;
    private final WorkQueue queue;
    private final RateLimiter rateLimiter;
    private final JobWaiter waiter;
    private final CompletionNotices notices;
    private final SpillwayMetrics metrics;
    private final Clock clock;
    private final DirectLane directLane;
    private final Guard sqsGuard;
    private final Guard dynamoGuard;
    private final SqsGuardConfig sqsGuardConfig;
    private final DynamoDbGuardConfig dynamoGuardConfig;
    private final CallbackUrls callbackUrls;

    public IntakeService(IntakeConfig intake, JobsConfig jobs, ModelsConfig models, ResultCache cache,
            CacheConfig cacheConfig, InFlightRequests inFlight,
            JobStore store, WorkQueue queue, RateLimiter rateLimiter, JobWaiter waiter, CompletionNotices notices,
            SpillwayMetrics metrics, Clock clock, DirectLane directLane,
            @Identifier(DownstreamGuards.SQS) Guard sqsGuard, @Identifier(DownstreamGuards.DYNAMODB) Guard dynamoGuard,
            SqsGuardConfig sqsGuardConfig, DynamoDbGuardConfig dynamoGuardConfig, CallbackUrls callbackUrls) {
        this.intake = intake;
        this.jobs = jobs;
        this.servedModels = models.served().keySet();
        this.parser = new ChatRequestParser(servedModels::contains, intake.maxTokensLimit());
        this.cache = cache;
        this.cacheConfig = cacheConfig;
        this.inFlight = inFlight;
        this.store = store;
        this.queue = queue;
        this.rateLimiter = rateLimiter;
        this.waiter = waiter;
        this.notices = notices;
        this.metrics = metrics;
        this.clock = clock;
        this.directLane = directLane;
        this.sqsGuard = sqsGuard;
        this.dynamoGuard = dynamoGuard;
        this.sqsGuardConfig = sqsGuardConfig;
        this.dynamoGuardConfig = dynamoGuardConfig;
        this.callbackUrls = callbackUrls;
    }

    /** A submit whose caller does not wait for the answer: it never goes direct. */
    public Submission submit(Caller caller, byte[] body, CachePolicy policy, Tier tier, String idempotencyKey) {
        return submit(caller, body, policy, tier, idempotencyKey, Duration.ZERO);
    }

    /**
     * @param idempotencyKey the client's {@code Idempotency-Key}, or null; a retried submit with the same key and
     *        request gets the original job back instead of a copy
     * @param wait how long the caller waits for the answer; the direct lane may use it, zero skips it
     */
    public Submission submit(Caller caller, byte[] body, CachePolicy policy, Tier tier, String idempotencyKey,
            Duration wait) {
        return submit(caller, body, policy, tier, idempotencyKey, wait, null, null);
    }

    /**
     * @param callbackUrl where the job view is POSTed once the job is final, or null; checked here (a refused URL
     *        is a 400 with nothing stored). A request with a callback always becomes a job of its own, so the
     *        webhook has something to report: it is not answered from the cache, the direct lane or another job.
     * @param callbackParam the name the client gave the callback URL, for the error's {@code param}
     */
    public Submission submit(Caller caller, byte[] body, CachePolicy policy, Tier tier, String idempotencyKey,
            Duration wait, String callbackUrl, String callbackParam) {
        IdempotencyKeys.check(idempotencyKey);
        if (body != null && body.length > intake.maxBodyBytes()) {
            throw new ApiException(413, ApiException.INVALID_REQUEST, "request_too_large", null,
                    "The request body is " + body.length + " bytes; the limit is " + intake.maxBodyBytes() + ".", null);
        }
        ChatCompletionRequest request = parser.parse(body);
        String callback = callbackUrls.checkAtSubmission(callbackUrl, callbackParam);
        if (callback != null) {
            policy = new CachePolicy(false, policy.write(), policy.force());
        }
        if (!caller.allows(request.model())) {
            throw new ApiException(403, ApiException.PERMISSION, "model_not_allowed", "model",
                    "This API key may not use the model `" + request.model() + "`.", null);
        }
        rateLimiter.acquire(caller, estimatedTokens(request));
        tier = caller.tierFor(tier);

        boolean cacheable = cache.enabled() && (request.isDeterministic() || policy.force());
        String cacheKey = cacheable ? CacheKeys.of(caller.tenant(), request) : null;
        if (cacheKey != null && policy.read()) {
            Optional<CacheHit> hit = cache.get(cacheKey);
            if (hit.isPresent()) {
                Submission answered = Submission.fromCache(hit.get());
                metrics.request("cache", answered.cacheStatus());
                return answered;
            }
        }
        String cacheStatus = cacheKey != null && policy.read() ? "miss" : "bypass";

        // An idempotent submit must return the same job when retried, so only a job may answer it.
        boolean callerWaits = !wait.isZero() && !wait.isNegative();
        if (idempotencyKey == null && callback == null && tier != Tier.BATCH && callerWaits
                && directLane.serves(request.model())) {
            Optional<DirectAnswer> answer = directLane.serve(request, wait);
            if (answer.isPresent()) {
                if (cacheKey != null && policy.write()) {
                    cache.putLocal(cacheKey, answer.get().completion());
                    cache.share(cacheKey, answer.get().completion());
                }
                metrics.request("direct", cacheStatus);
                return Submission.direct(answer.get(), cacheStatus);
            }
        }

        Instant now = clock.instant();
        Job job = Job.queued(JobIds.next(), caller.tenant(), tier, request, policy.write() ? cacheKey : null, now,
                now.plus(jobs.deadline())).withCallbackUrl(callback);
        MDC.put("jobId", job.id());
        String idempotencyId = idempotencyKey == null ? null : IdempotencyKeys.id(caller, idempotencyKey);
        // An idempotent submit must own its job, so it never attaches to another's.
        if (cacheKey != null && policy.read() && idempotencyId == null) {
            Optional<Job> running = attachToRunning(cacheKey, job.id());
            if (running.isPresent()) {
                metrics.request("spill", "coalesced");
                return Submission.queued(running.get(), "coalesced");
            }
        }
        try {
            if (idempotencyId == null) {
                guarded(dynamoGuard, () -> store.create(job));
            } else {
                String requestHash = requestHash(caller, request, tier, callback);
                JobStore.IdempotentCreate created = dynamoGuard.call(() -> store.createIdempotent(job, idempotencyId,
                        requestHash, now.plus(jobs.idempotencyRetention())), JobStore.IdempotentCreate.class);
                if (!created.created()) {
                    return replay(caller, created, requestHash);
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            LOG.warnf("job store unavailable, request refused: %s", e.toString());
            throw ApiException.unavailable("job_store_unavailable",
                    "Spillway could not record the request; nothing was accepted. Retry shortly.",
                    retryAfter(e, dynamoGuardConfig.breakerDelay()));
        }
        Tier queueTier = tier;
        try {
            guarded(sqsGuard, () -> queue.send(queueTier, job.id()));
        } catch (Exception e) {
            LOG.warnf("queue unavailable, withdrawing job %s: %s", job.id(), e.toString());
            try {
                guarded(dynamoGuard, () -> store.withdraw(job.id(), idempotencyId));
            } catch (Exception withdrawFailed) {
                LOG.errorf("job %s stored but not queued and not withdrawn: %s", job.id(), withdrawFailed.toString());
            }
            throw ApiException.unavailable("queue_unavailable",
                    "Spillway could not queue the request; nothing was accepted. Retry shortly.",
                    retryAfter(e, sqsGuardConfig.breakerDelay()));
        }
        metrics.request("spill", cacheStatus);
        return Submission.queued(job, cacheStatus);
    }

    private static void guarded(Guard guard, Runnable write) throws Exception {
        guard.call(() -> {
            write.run();
            return null;
        }, Object.class);
    }

    /** An open breaker will refuse for about its delay; a single failure is worth retrying sooner. */
    private static Duration retryAfter(Exception failure, Duration breakerDelay) {
        return failure instanceof CircuitBreakerOpenException ? breakerDelay : RETRY_UNAVAILABLE;
    }

    /**
     * Single flight: returns the job already running for this cache key, or records {@code jobId} as that job.
     * Redis trouble means no coalescing, never a failed request.
     */
    private Optional<Job> attachToRunning(String cacheKey, String jobId) {
        if (!cacheConfig.coalesce() || !cacheConfig.l2Enabled()) {
            return Optional.empty();
        }
        try {
            Optional<String> earlier = inFlight.claim(cacheKey, jobId, cacheConfig.inflightTtl());
            if (earlier.isEmpty()) {
                return Optional.empty();
            }
            Optional<Job> running = store.find(earlier.get())
                    .filter(job -> job.status() == JobStatus.QUEUED || job.status() == JobStatus.RUNNING
                            || job.status() == JobStatus.SUCCEEDED);
            if (running.isEmpty()) {
                inFlight.replace(cacheKey, jobId, cacheConfig.inflightTtl());
            }
            return running;
        } catch (RuntimeException e) {
            LOG.debugf("not coalescing: %s", e.toString());
            return Optional.empty();
        }
    }

    /** The job an earlier submit with the same key created, if it was for the same request. */
    private Submission replay(Caller caller, JobStore.IdempotentCreate earlier, String requestHash) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw IdempotencyKeys.reused();
        }
        Job original = store.find(earlier.jobId()).filter(job -> job.tenant().equals(caller.tenant()))
                .orElseThrow(IdempotencyKeys::stillInUse);
        return Submission.replayed(original);
    }

    /**
     * What makes two submits "the same request": everything that shapes the answer, the user label, the tier and
     * where the webhook goes.
     */
    private static String requestHash(Caller caller, ChatCompletionRequest request, Tier tier, String callback) {
        return Sha256.hex(CacheKeys.of(caller.tenant(), request) + "|" + request.user() + "|" + tier.name()
                + (callback == null ? "" : "|" + callback));
    }

    /** What a request may cost against a tokens-per-minute limit: about four characters a token, plus its output. */
    private int estimatedTokens(ChatCompletionRequest request) {
        long characters = request.messages().stream().mapToLong(m -> m.content().length()).sum();
        int output = request.maxTokens() != null ? request.maxTokens() : DEFAULT_OUTPUT_ESTIMATE;
        return (int) Math.min(Integer.MAX_VALUE, characters / 4 + output);
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
        Job current = waiter.await(job, budget);
        if (current.status() == JobStatus.SUCCEEDED && current.cacheKey() != null) {
            cache.putLocal(current.cacheKey(), current.result());
        }
        return current;
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

    /** The served models this caller may use. */
    public Set<String> modelNames(Caller caller) {
        return servedModels.stream().filter(caller::allows).collect(Collectors.toCollection(TreeSet::new));
    }
}
