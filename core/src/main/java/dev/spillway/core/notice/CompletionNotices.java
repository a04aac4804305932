package dev.spillway.core.notice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.spillway.core.config.NoticeConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.notice.redis.NoticeSubscription;
import dev.spillway.core.notice.redis.RedisNoticeChannel;

/**
 * Tells waiting requests that their job finished. Workers publish on one Redis channel; each process holds one
 * subscription and wakes the waiters of that job. A worker's notice carries the final job as its conditional
 * write stored it, so the waiter answers without reading it back. Notices are a latency aid only: DynamoDB stays
 * the truth and waiters also read it on a back-off, so a lost notice or a dead Redis only costs time.
 */
@ApplicationScoped
public class CompletionNotices {

    private static final Logger LOG = Logger.getLogger(CompletionNotices.class);
    /**
     * How long this process remembers that a job was announced. A caller watches a job just after it created or
     * read it; a notice that arrives in between is found here instead of being lost.
     */
    private static final Duration RECENT_NOTICES_KEPT = Duration.ofSeconds(10);

    private final NoticeConfig config;
    private final RedisNoticeChannel channel;
    private final Clock clock;
    private final ObjectMapper json;
    /** Each waiter's future completes with the final job when its notice carried one, else with empty. */
    private final Map<String, Set<CompletableFuture<Optional<Job>>>> waiters = new ConcurrentHashMap<>();
    /** Ids of the jobs announced lately (only the id: every job's notice reaches every process). */
    private final Cache<String, Boolean> recentlyAnnounced = Caffeine.newBuilder()
            .expireAfterWrite(RECENT_NOTICES_KEPT).build();

    /** The subscription Redis confirmed, or null: then waiters rely on store reads alone. */
    private volatile NoticeSubscription subscriber;
    private volatile Instant nextSubscribeAttempt = Instant.MIN;

    public CompletionNotices(NoticeConfig config, RedisNoticeChannel channel, Clock clock, ObjectMapper json) {
        this.config = config;
        this.channel = channel;
        this.clock = clock;
        this.json = json;
    }

    /**
     * Announces a job in its final state, as the conditional write that made it final returned it, so waiters need
     * not read it back. Never throws: the waiters' store reads cover a lost notice.
     */
    public void publish(Job finalJob) {
        if (config.enabled()) {
            send(finalJob.id(), NoticeMessage.encode(finalJob, json));
        }
    }

    /** Announces that a job reached a final state; its waiters read it from the store. Never throws. */
    public void publish(String jobId) {
        if (config.enabled()) {
            send(jobId, jobId);
        }
    }

    private void send(String jobId, String message) {
        try {
            channel.publish(config.channel(), message);
        } catch (Exception e) {
            LOG.debugf("completion notice for %s not published: %s", jobId, e.toString());
        }
    }

    /**
     * Registers interest in a job its caller has just created or read. Returns once the subscription is confirmed
     * by Redis (or known to be down, see {@link Watch#live()}): a notice published after this returns reaches the
     * watch, and so does one this process received in the last seconds, so a job that finished just before the
     * watch is not missed (see {@link Watch#heardEarlierNotices()}). May wait for Redis when it (re)subscribes: do
     * not call it on an event loop. Close the returned watch when done.
     */
    public Watch watch(String jobId) {
        NoticeSubscription before = subscriber;
        boolean live = ensureSubscribed();
        CompletableFuture<Optional<Job>> notified = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(notified);
        // Registered before looking: a notice arriving now is either remembered already or finds the future.
        if (recentlyAnnounced.getIfPresent(jobId) != null) {
            notified.complete(Optional.empty());
        }
        return new Watch(jobId, notified, live, live && before != null && before == subscriber);
    }

    /**
     * Whether a request in this process is waiting for the job right now: a long poll or a held request is
     * observable (diagnostics, and tests that must finish a job only once someone waits for it).
     */
    public boolean isWatched(String jobId) {
        return waiters.containsKey(jobId);
    }

    /** Whether Redis confirmed the subscription, so notices are received now (else waiters rely on store reads). */
    public boolean isLive() {
        return subscriber != null;
    }

    private boolean ensureSubscribed() {
        if (!config.enabled()) {
            return false;
        }
        if (subscriber != null) {
            return true;
        }
        synchronized (this) {
            if (subscriber != null || clock.instant().isBefore(nextSubscribeAttempt)) {
                return subscriber != null;
            }
            try {
                subscriber = channel.subscribe(config.channel(), this::onNotice, this::onSubscriptionLost);
                LOG.debugf("subscribed to completion notices on %s", config.channel());
            } catch (Exception e) {
                nextSubscribeAttempt = clock.instant().plus(config.resubscribeBackoff());
                LOG.debugf("completion notices unavailable, waiting on store reads: %s", e.toString());
            }
            return subscriber != null;
        }
    }

    private void onNotice(String message) {
        NoticeMessage.decode(message, json).ifPresent(notice -> {
            recentlyAnnounced.put(notice.jobId(), Boolean.TRUE);
            Set<CompletableFuture<Optional<Job>>> waiting = waiters.get(notice.jobId());
            if (waiting != null) {
                waiting.forEach(f -> f.complete(notice.job()));
            }
        });
    }

    private void onSubscriptionLost(NoticeSubscription lost) {
        synchronized (this) {
            // A subscription closed or replaced since must not take the current one down with it.
            if (subscriber != lost) {
                return;
            }
            subscriber = null;
        }
        // Wake everyone: they re-read the store and fall back to back-off reads until Redis returns.
        waiters.values().forEach(set -> set.forEach(f -> f.complete(Optional.empty())));
    }

    @PreDestroy
    void close() {
        NoticeSubscription current = subscriber;
        subscriber = null;
        if (current != null) {
            current.close();
        }
    }

    /** Interest in one job's completion. */
    public final class Watch implements AutoCloseable {

        private final String jobId;
        private final CompletableFuture<Optional<Job>> notified;
        private final boolean live;
        private final boolean heardEarlierNotices;

        Watch(String jobId, CompletableFuture<Optional<Job>> notified, boolean live, boolean heardEarlierNotices) {
            this.jobId = jobId;
            this.notified = notified;
            this.live = live;
            this.heardEarlierNotices = heardEarlierNotices;
        }

        /**
         * Completes when a notice for the job arrives, with the final job if the notice carried it, or with empty
         * when it did not or the subscription dropped.
         */
        public CompletableFuture<Optional<Job>> notified() {
            return notified;
        }

        /** Whether a notice can arrive at all; if not, only store reads will tell. */
        public boolean live() {
            return live && subscriber != null;
        }

        /**
         * Whether the subscription was already up before this watch was asked for, so a notice of the job published
         * while its caller created or read it has reached the watch. If not (the watch had to subscribe, or Redis is
         * down), the caller's copy of the job may be stale already: read the store once soon.
         */
        public boolean heardEarlierNotices() {
            return heardEarlierNotices;
        }

        @Override
        public void close() {
            waiters.computeIfPresent(jobId, (id, set) -> {
                set.remove(notified);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
