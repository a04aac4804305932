package dev.spillway.intake;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.spillway.core.admission.CheckedRequest;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.cache.CacheHit;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.cache.redis.InFlightRequests;
import dev.spillway.core.cache.warmup.HotSetRecorder;
import dev.spillway.core.config.CacheConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;

/**
 * The cache lane: answers from the result cache, and makes identical cacheable requests in flight share one job
 * (single flight on the cache key). Within this instance the first request leads and the others wait for its
 * admission; across instances the leader's job id is claimed in Redis and latecomers wait for that job to be
 * stored. A shared admission that fails fails every request attached to it; a job that can no longer answer
 * (failed, cancelled, never stored) is taken over by exactly one request.
 */
@ApplicationScoped
public class CacheLane {

    private static final Logger LOG = Logger.getLogger(CacheLane.class);
    private static final long FIRST_LOOK_MILLIS = 5;
    private static final long MAX_LOOK_MILLIS = 200;

    private final ResultCache cache;
    private final CacheConfig config;
    private final InFlightRequests claims;
    private final JobStore store;
    private final HotSetRecorder hotSets;
    /** This instance's flights by cache key: the leader's admission, then its job. */
    private final Cache<String, CompletableFuture<Job>> flights;

    public CacheLane(ResultCache cache, CacheConfig config, InFlightRequests claims, JobStore store) {
        this(cache, config, claims, store, HotSetRecorder.NONE);
    }

    @Inject
    public CacheLane(ResultCache cache, CacheConfig config, InFlightRequests claims, JobStore store,
            HotSetRecorder hotSets) {
        this.cache = cache;
        this.config = config;
        this.claims = claims;
        this.store = store;
        this.hotSets = hotSets;
        this.flights = Caffeine.newBuilder().maximumSize(config.l1MaxEntries())
                .expireAfterWrite(config.inflightTtl()).build();
    }

    /** The cached answer, if any; the request counts towards its tenant's hot set either way. */
    public Optional<CacheHit> lookup(CheckedRequest checked) {
        hotSets.record(checked);
        return checked.readsCache() ? cache.get(checked.cacheKey()) : Optional.empty();
    }

    /**
     * The answer if this instance holds it in memory (L1); never asks Redis, so it may run on an event loop. Only a
     * hit counts towards the hot set: a miss goes on to {@link #lookup}, which counts it.
     */
    public Optional<CacheHit> lookupInMemory(CheckedRequest checked) {
        Optional<CacheHit> hit = checked.readsCache() ? cache.getLocal(checked.cacheKey()) : Optional.empty();
        if (hit.isPresent()) {
            hotSets.record(checked);
        }
        return hit;
    }

    /** Keeps an answer that reached this instance without a worker storing it (direct lane), for every instance. */
    public void store(String cacheKey, ChatCompletion completion) {
        if (cacheKey != null) {
            cache.putLocal(cacheKey, completion);
            cache.share(cacheKey, completion);
        }
    }

    /** Keeps an answer this instance received from its job; the worker has already shared it. */
    public void remember(String cacheKey, ChatCompletion completion) {
        if (cacheKey != null) {
            cache.putLocal(cacheKey, completion);
        }
    }

    /**
     * Joins the flight for this request's answer.
     *
     * @param job the job this request would become; it leads the flight when no identical request is in flight
     * @return a flight that is either attached to the job that will answer, or led by {@code job}: the caller
     *         then admits it and reports the outcome with {@link Flight#admitted} or {@link Flight#failed}
     */
    public Flight join(CheckedRequest checked, Job job) {
        if (!config.coalesce() || !checked.readsCache() || checked.idempotencyKey() != null) {
            // An idempotent submit must own its job, so it never attaches to another's.
            return Flight.ALONE;
        }
        String key = checked.cacheKey();
        CompletableFuture<Job> mine = new CompletableFuture<>();
        while (true) {
            CompletableFuture<Job> leader = flights.asMap().putIfAbsent(key, mine);
            if (leader == null) {
                break;
            }
            Optional<Job> answering = answering(awaitAdmission(leader));
            if (answering.isPresent()) {
                return Flight.attached(answering.get());
            }
            flights.asMap().remove(key, leader);
        }
        Optional<Job> elsewhere = claimAcrossInstances(key, job.id());
        if (elsewhere.isPresent()) {
            mine.complete(elsewhere.get());
            return Flight.attached(elsewhere.get());
        }
        return new Flight(null, mine, () -> {
            flights.asMap().remove(key, mine);
            releaseClaim(key, job.id());
        });
    }

    /** The leader's job once admitted; its failure is this request's failure too. */
    private Job awaitAdmission(CompletableFuture<Job> leader) {
        try {
            return leader.get(config.coalesceAdmissionWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining a request in flight", e);
        }
    }

    /**
     * Records {@code jobId} in Redis as the job for this key, or finds the job another instance recorded. Redis
     * trouble means coalescing within this instance only, never a failed request.
     */
    private Optional<Job> claimAcrossInstances(String key, String jobId) {
        if (!config.l2Enabled()) {
            return Optional.empty();
        }
        try {
            Optional<String> holder = claims.claim(key, jobId, config.inflightTtl());
            while (holder.isPresent()) {
                Optional<Job> answering = answering(awaitStored(key, holder.get()));
                if (answering.isPresent()) {
                    return answering;
                }
                holder = claims.takeOver(key, holder.get(), jobId, config.inflightTtl());
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.debugf("coalescing within this instance only: %s", e.toString());
            return Optional.empty();
        }
    }

    private void releaseClaim(String key, String jobId) {
        if (config.l2Enabled()) {
            try {
                claims.release(key, jobId);
            } catch (RuntimeException e) {
                LOG.debugf("claim on a refused job left to expire: %s", e.toString());
            }
        }
    }

    /**
     * The claimed job, read until its admission has had time to store it; null when it never was, or when its
     * claim was released (its admission failed) or taken over meanwhile.
     */
    private Job awaitStored(String key, String jobId) {
        long deadline = System.nanoTime() + config.coalesceAdmissionWait().toNanos();
        long pause = FIRST_LOOK_MILLIS;
        while (true) {
            Optional<Job> stored = store.find(jobId);
            if (stored.isPresent()) {
                return stored.get();
            }
            if (!claims.holder(key).filter(jobId::equals).isPresent()) {
                return store.find(jobId).orElse(null);
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return null;
            }
            sleep(Math.min(pause, left));
            pause = Math.min(pause * 2, MAX_LOOK_MILLIS);
        }
    }

    /** The job if it can still give the answer: queued, running, or already succeeded. */
    private Optional<Job> answering(Job job) {
        if (job == null) {
            return Optional.empty();
        }
        JobStatus status = job.status();
        if (status == JobStatus.QUEUED || status == JobStatus.RUNNING) {
            // The leader's copy may be old: read what the job has become since.
            return store.find(job.id()).filter(CacheLane::answers);
        }
        return answers(job) ? Optional.of(job) : Optional.empty();
    }

    private static boolean answers(Job job) {
        return job.status() == JobStatus.QUEUED || job.status() == JobStatus.RUNNING
                || job.status() == JobStatus.SUCCEEDED;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining a request in flight", e);
        }
    }

    /** One request's place in a flight: attached to the job that will answer it, or leading with its own. */
    public static final class Flight {

        /** Not coalesced: the request admits its own job and no one waits for it. */
        static final Flight ALONE = new Flight(null, null, () -> {
        });

        private final Job attached;
        private final CompletableFuture<Job> lead;
        private final Runnable forget;

        private Flight(Job attached, CompletableFuture<Job> lead, Runnable forget) {
            this.attached = attached;
            this.lead = lead;
            this.forget = forget;
        }

        static Flight attached(Job job) {
            return new Flight(job, null, () -> {
            });
        }

        /** The job that answers this request, when another request's job does. */
        public Optional<Job> attachedJob() {
            return Optional.ofNullable(attached);
        }

        /** The leader's job is stored and queued: attach the others to it. */
        public void admitted(Job job) {
            if (lead != null) {
                lead.complete(job);
            }
        }

        /** The leader's admission failed: the requests waiting on it fail alike, later ones lead anew. */
        public void failed(RuntimeException failure) {
            if (lead != null) {
                forget.run();
                lead.completeExceptionally(failure);
            }
        }
    }
}
