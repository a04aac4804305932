package dev.spillway.core.notice;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.config.NoticeConfig;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;

/**
 * Tells waiting requests that their job finished. Workers publish the job id on one Redis channel; each
 * process holds one subscription and wakes the waiters of that id. Notices are a latency aid only: DynamoDB
 * stays the truth and waiters also read it on a back-off, so a lost notice or a dead Redis only costs time.
 */
@ApplicationScoped
public class CompletionNotices {

    private static final Logger LOG = Logger.getLogger(CompletionNotices.class);

    private final NoticeConfig config;
    private final RedisNoticeChannel channel;
    private final Clock clock;
    private final Map<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

    private volatile PubSubCommands.RedisSubscriber subscriber;
    private volatile Instant nextSubscribeAttempt = Instant.MIN;

    public CompletionNotices(NoticeConfig config, RedisNoticeChannel channel, Clock clock) {
        this.config = config;
        this.channel = channel;
        this.clock = clock;
    }

    /** Announces that a job reached a final state. Never throws: the waiters' store reads cover a lost notice. */
    public void publish(String jobId) {
        if (!config.enabled()) {
            return;
        }
        try {
            channel.publish(config.channel(), jobId);
        } catch (Exception e) {
            LOG.debugf("completion notice for %s not published: %s", jobId, e.toString());
        }
    }

    /**
     * Registers interest in a job before its state is read, so a notice that arrives in between is not missed.
     * Close the returned watch when done.
     */
    public Watch watch(String jobId) {
        boolean live = ensureSubscribed();
        CompletableFuture<Void> notified = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(notified);
        return new Watch(jobId, notified, live);
    }

    /** Whether notices are being received right now (else waiters rely on store reads alone). */
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

    private void onNotice(String jobId) {
        Set<CompletableFuture<Void>> waiting = waiters.get(jobId);
        if (waiting != null) {
            waiting.forEach(f -> f.complete(null));
        }
    }

    private void onSubscriptionLost() {
        subscriber = null;
        // Wake everyone: they re-read the store and fall back to back-off reads until Redis returns.
        waiters.values().forEach(set -> set.forEach(f -> f.complete(null)));
    }

    @PreDestroy
    void close() {
        PubSubCommands.RedisSubscriber current = subscriber;
        subscriber = null;
        if (current != null) {
            try {
                current.unsubscribe();
            } catch (Exception ignored) {
                // shutting down
            }
        }
    }

    /** Interest in one job's completion. */
    public final class Watch implements AutoCloseable {

        private final String jobId;
        private final CompletableFuture<Void> notified;
        private final boolean live;

        Watch(String jobId, CompletableFuture<Void> notified, boolean live) {
            this.jobId = jobId;
            this.notified = notified;
            this.live = live;
        }

        /** Completes when a notice for the job arrives (or the subscription drops). */
        public CompletableFuture<Void> notified() {
            return notified;
        }

        /** Whether a notice can arrive at all; if not, only store reads will tell. */
        public boolean live() {
            return live && subscriber != null;
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
