package dev.spillway.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.config.NoticeConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.notice.CompletionNotices;

/**
 * Waits, within a budget, for a job to reach a final state. Wakes on the completion notice, which usually carries
 * the final job (then no read is needed); reads the store on a doubling back-off as the fallback (fast when notices
 * are down, rare safety reads when they are live).
 */
@ApplicationScoped
public class JobWaiter {

    private final JobStore store;
    private final CompletionNotices notices;
    private final NoticeConfig config;
    private final Clock clock;

    public JobWaiter(JobStore store, CompletionNotices notices, NoticeConfig config, Clock clock) {
        this.store = store;
        this.notices = notices;
        this.config = config;
        this.clock = clock;
    }

    /**
     * @param job the job as its caller just read or created it
     * @return the job as last read: final, or still in progress when the budget ran out
     */
    public Job await(Job job, Duration budget) {
        if (job.status().isFinal() || budget.isZero() || budget.isNegative()) {
            return job;
        }
        Instant deadline = clock.instant().plus(budget);
        Duration interval = config.firstReadInterval();
        try (CompletionNotices.Watch watch = notices.watch(job.id())) {
            // The caller has just read or created the job, so the first store read waits for a notice. A job that
            // finished before the watch was registered is read after the first (short) interval instead.
            Job current = job;
            Duration pause = min(budget, interval);
            while (true) {
                Optional<Job> announced = pauseUntilNotice(watch, pause);
                current = announced.isPresent() ? announced.get() : store.find(job.id()).orElse(current);
                Duration remaining = Duration.between(clock.instant(), deadline);
                if (current.status().isFinal() || remaining.isNegative() || remaining.isZero()) {
                    return current;
                }
                interval = min(interval.multipliedBy(2), config.maxReadInterval());
                pause = min(remaining, watch.live() ? config.maxReadInterval() : interval);
            }
        }
    }

    /** The final job if a notice carried it; empty when the store must be read (no notice, or a bare one). */
    private static Optional<Job> pauseUntilNotice(CompletionNotices.Watch watch, Duration pause) {
        if (watch.notified().isDone()) {
            // The notice (or the loss of the subscription) was already consumed by the read above.
            LockSupport.parkNanos(pause.toNanos());
            return Optional.empty();
        }
        try {
            return watch.notified().get(pause.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException readAgain) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a job", e);
        } catch (ExecutionException impossible) {
            // never completed exceptionally
            return Optional.empty();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
