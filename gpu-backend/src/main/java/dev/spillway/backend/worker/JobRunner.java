package dev.spillway.backend.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.api.Usage;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.core.upstream.UpstreamException;

/**
 * Runs the job behind one queue message, exactly once in effect: the claim is a conditional write, the
 * result is written only while this worker holds the lease, and the message is deleted only once the job is
 * final (or was never ours to run).
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(1);
    /** Permanent failures only the operator can fix (502); every other permanent one is about the request (400). */
    private static final Set<String> OPERATOR_FAULTS = Set.of("upstream_auth_failed", "engine_error");

    private final JobStore store;
    private final WorkQueue queue;
    private final EngineRegistry engines;
    private final ResultCache cache;
    private final CompletionNotices notices;
    private final WorkerConfig config;
    private final WorkerIdentity identity;
    private final SpillwayMetrics metrics;
    private final Clock clock;
    private final EngineBreakers breakers;
    private final DrainMeter drainMeter;
    private final JobStreams streams;

    public JobRunner(JobStore store, WorkQueue queue, EngineRegistry engines, EngineBreakers breakers,
            ResultCache cache, CompletionNotices notices, WorkerConfig config, WorkerIdentity identity,
            SpillwayMetrics metrics, Clock clock, DrainMeter drainMeter, JobStreams streams) {
        this.drainMeter = drainMeter;
        this.streams = streams;
        this.store = store;
        this.queue = queue;
        this.engines = engines;
        this.breakers = breakers;
        this.cache = cache;
        this.notices = notices;
        this.config = config;
        this.identity = identity;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Processes one message; {@code heartbeats} renews visibility and lease while the engine runs. */
    public void run(QueuedMessage message, ScheduledExecutorService heartbeats) {
        MDC.put("jobId", String.valueOf(message.jobId()));
        MDC.put("tier", message.tier().wireName());
        try {
            runLogged(message, heartbeats);
        } finally {
            MDC.remove("jobId");
            MDC.remove("tier");
            MDC.remove("tenant");
        }
    }

    private void runLogged(QueuedMessage message, ScheduledExecutorService heartbeats) {
        if (message.jobId() == null) {
            LOG.warnf("dropping message %s on the %s queue: not a Spillway job message", message.messageId(),
                    message.tier().wireName());
            queue.delete(message);
            return;
        }
        Instant now = clock.instant();
        Optional<Job> claimed = store.claim(message.jobId(), identity.id(), now, now.plus(config.lease()));
        if (claimed.isEmpty()) {
            skipUnclaimable(message);
            return;
        }
        Job job = claimed.get();
        MDC.put("tenant", job.tenant());
        if (job.attempts() == 1) {
            metrics.queueWait(job.tier(), Duration.between(job.created(), now));
        }
        LOG.debugf("job %s claimed from the %s queue (attempt %d, receive %d)", job.id(), message.tier().wireName(),
                job.attempts(), message.receiveCount());
        Optional<InferenceEngine> engine;
        try {
            engine = engines.forModel(job.model());
        } catch (RuntimeException e) {
            // A model that cannot be loaded or reached is retried like any engine failure; the redrive policy
            // turns a permanent one into a FAILED job with a reason.
            LOG.errorf(e, "the engine for model %s could not be started", job.model());
            retryLater(message, job, e.toString(), Optional.empty());
            return;
        }
        if (engine.isEmpty()) {
            finishFailed(message, job, JobError.server("model_not_served",
                    "No engine is configured for model '" + job.model() + "' on this worker."));
            return;
        }
        AtomicBoolean lost = new AtomicBoolean();
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> renew(message, job, lost),
                config.heartbeatInterval().toMillis(), config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
        long engineStart = System.nanoTime();
        // Only a job whose client streams pays for a live stream.
        JobChunks chunks = job.request().stream()
                ? new JobChunks(streams.writer(job.id(), job.attempts()), job, clock.instant().getEpochSecond())
                : null;
        try {
            Generation generation = breakers.call(job.model(), () -> chunks == null
                    ? engine.get().generate(job.request())
                    : engine.get().generate(job.request(), chunks));
            heartbeat.cancel(false);
            metrics.engineCall(job.model(), "ok", Duration.ofNanos(System.nanoTime() - engineStart),
                    generation.completionTokens());
            if (lost.get()) {
                metrics.jobOutcome(job.tier(), "dropped");
                LOG.infof("job %s was cancelled or taken over while running; its result is dropped", job.id());
                lost(chunks, job);
                deleteIfFinal(message);
                return;
            }
            finishSucceeded(message, job, generation, chunks);
        } catch (UpstreamException e) {
            heartbeat.cancel(false);
            metrics.engineCall(job.model(), e.retryable() ? "retryable_error" : "permanent_error",
                    Duration.ofNanos(System.nanoTime() - engineStart), 0);
            if (e.retryable()) {
                abandoned(chunks);
                retryLater(message, job, e.getMessage(), e.retryAfter());
            } else {
                finishFailed(message, job, OPERATOR_FAULTS.contains(e.code())
                        ? JobError.server(e.code(), e.getMessage())
                        : JobError.rejected(e.code(), e.getMessage()), chunks);
            }
        } catch (CircuitBreakerOpenException e) {
            heartbeat.cancel(false);
            metrics.engineCall(job.model(), "engine_resting", Duration.ofNanos(System.nanoTime() - engineStart), 0);
            abandoned(chunks);
            retryLater(message, job, "its engine is resting after repeated failures", Optional.of(breakers.delay()));
        } catch (Exception e) {
            heartbeat.cancel(false);
            LOG.errorf(e, "job %s failed unexpectedly; it will be retried", job.id());
            abandoned(chunks);
            retryLater(message, job, e.toString(), Optional.empty());
        }
    }

    private static void abandoned(JobChunks chunks) {
        if (chunks != null) {
            chunks.abandoned();
        }
    }

    /**
     * Ends the stream of a job this worker lost: a cancelled job's client is told it was cancelled; one taken over by
     * another worker is told its answer is being generated again.
     */
    private void lost(JobChunks chunks, Job job) {
        if (chunks == null) {
            return;
        }
        if (store.find(job.id()).filter(current -> current.status() == JobStatus.CANCELLED).isPresent()) {
            chunks.failed(new JobError("Job '" + job.id() + "' was cancelled before it finished.", "conflict_error",
                    "job_cancelled", 409));
        } else {
            chunks.abandoned();
        }
    }

    private void finishSucceeded(QueuedMessage message, Job job, Generation generation, JobChunks chunks) {
        Instant finished = clock.instant();
        // An OpenAI-compatible server's answer is kept as it wrote it; text from llama.cpp is wrapped here.
        ChatCompletion completion = generation.answer() != null ? ChatCompletion.parse(generation.answer())
                : job.request().kind() == RequestKind.COMPLETION
                        ? ChatCompletion.ofText(JobChunks.completionId(job),
                                chunks != null ? chunks.created() : finished.getEpochSecond(), job.model(),
                                generation.content(), generation.finishReason(),
                                Usage.of(generation.promptTokens(), generation.completionTokens()))
                        : ChatCompletion.of(JobChunks.completionId(job),
                                chunks != null ? chunks.created() : finished.getEpochSecond(), job.model(),
                                generation.content(), generation.finishReason(),
                                Usage.of(generation.promptTokens(), generation.completionTokens()));
        // Cache first: whoever then reads SUCCEEDED in the store also finds the answer in the cache.
        if (job.cacheKey() != null) {
            cache.share(job.cacheKey(), completion);
        }
        Optional<Job> succeeded = store.succeed(job.id(), identity.id(), completion, finished);
        if (succeeded.isPresent()) {
            drainMeter.completed(serviceTime(job, finished));
            metrics.jobOutcome(job.tier(), "succeeded");
            LOG.infof("job %s succeeded on attempt %d: %d prompt + %d completion tokens, finish %s", job.id(),
                    job.attempts(), generation.promptTokens(), generation.completionTokens(), generation.finishReason());
            notices.publish(succeeded.get());
            if (chunks != null) {
                chunks.succeeded(completion); // after the store: a client told "done" finds the job final
            }
            queue.delete(message);
        } else {
            LOG.infof("job %s changed hands before its result was stored; result dropped", job.id());
            lost(chunks, job);
            deleteIfFinal(message);
        }
    }

    private void finishFailed(QueuedMessage message, Job job, JobError error) {
        finishFailed(message, job, error, null);
    }

    private void finishFailed(QueuedMessage message, Job job, JobError error, JobChunks chunks) {
        Instant finished = clock.instant();
        Optional<Job> failed = store.fail(job.id(), identity.id(), error, finished);
        if (chunks != null) {
            if (failed.isPresent()) {
                chunks.failed(error);
            } else {
                chunks.abandoned();
            }
        }
        if (failed.isPresent()) {
            drainMeter.completed(serviceTime(job, finished));
            metrics.jobOutcome(job.tier(), "failed");
            LOG.warnf("job %s failed: %s (%s)", job.id(), error.code(), error.message());
            notices.publish(failed.get());
            queue.delete(message);
        } else {
            deleteIfFinal(message);
        }
    }

    /** From its claim (this attempt's start) to its end. */
    private static Duration serviceTime(Job job, Instant finished) {
        return job.started() == null ? Duration.ZERO : Duration.between(job.started(), finished);
    }

    /** Hands the job back and lets SQS redeliver it after a back-off; the redrive policy bounds the attempts. */
    private void retryLater(QueuedMessage message, Job job, String reason, Optional<Duration> retryAfter) {
        if (!store.release(job.id(), identity.id())) {
            deleteIfFinal(message);
            return;
        }
        Duration backoff = config.retryBackoff().multipliedBy(1L << Math.min(10, Math.max(0, job.attempts() - 1)));
        Duration delay = retryAfter.filter(after -> after.compareTo(backoff) > 0).orElse(backoff);
        if (delay.compareTo(config.retryBackoffMax()) > 0) {
            delay = config.retryBackoffMax();
        }
        metrics.jobOutcome(job.tier(), "retried");
        LOG.infof("job %s attempt %d failed (%s); retrying in %ss", job.id(), job.attempts(), reason, delay.toSeconds());
        queue.changeVisibility(message, delay);
    }

    /**
     * After losing a job (cancelled, taken over, handed back while draining), the message goes only if the job
     * is final: a job still QUEUED or RUNNING elsewhere must keep a message, or nothing would ever run it.
     */
    private void deleteIfFinal(QueuedMessage message) {
        Optional<Job> current = store.find(message.jobId());
        if (current.isEmpty() || current.get().status().isFinal()) {
            queue.delete(message);
        }
    }

    /** Another delivery of a job this worker cannot claim: drop it, or wait out the live lease of its holder. */
    private void skipUnclaimable(QueuedMessage message) {
        Optional<Job> current = store.find(message.jobId());
        if (current.isEmpty() || current.get().status().isFinal()) {
            queue.delete(message);
            return;
        }
        Job job = current.get();
        Instant leaseUntil = job.leaseUntil() == null ? clock.instant() : job.leaseUntil();
        Duration untilLeaseLapses = Duration.between(clock.instant(), leaseUntil).plus(LEASE_MARGIN);
        queue.changeVisibility(message, untilLeaseLapses.isNegative() ? Duration.ZERO : untilLeaseLapses);
    }

    private void renew(QueuedMessage message, Job job, AtomicBoolean lost) {
        try {
            queue.changeVisibility(message, config.visibilityTimeout());
            if (!store.extendLease(job.id(), identity.id(), clock.instant().plus(config.lease()))) {
                lost.set(true);
            }
        } catch (RuntimeException e) {
            // The next beat tries again; if the lease lapses meanwhile the conditional result write protects us.
            LOG.debugf("heartbeat for job %s failed: %s", job.id(), e.toString());
        }
    }

    /** Gives a job back to the queue at once; used when draining. */
    public void releaseNow(QueuedMessage message) {
        if (message.jobId() != null) {
            store.release(message.jobId(), identity.id());
        }
        queue.changeVisibility(message, Duration.ZERO);
    }
}
