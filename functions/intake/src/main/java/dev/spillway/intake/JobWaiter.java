package dev.spillway.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.config.NoticeConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.notice.CompletionNotices;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;

/**
 * Waits, within a budget, for a job to reach a final state, and holds no thread while it waits. It wakes on the
 * completion notice, which usually carries the final job (then no read is needed), and on Vert.x timers: one for
 * the end of the budget, one for the next read of the store, which runs on the worker pool. When notices are down
 * the reads are the mechanism, on a doubling back-off; when they are live the reads are rare safety checks for a
 * lost notice, since every waiting request makes them.
 */
@ApplicationScoped
public class JobWaiter {

    private static final long NO_TIMER = -1;

    private final JobStore store;
    private final CompletionNotices notices;
    private final NoticeConfig config;
    private final Clock clock;
    private final Vertx vertx;

    public JobWaiter(JobStore store, CompletionNotices notices, NoticeConfig config, Clock clock, Vertx vertx) {
        this.store = store;
        this.notices = notices;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    /**
     * Subscribe on a worker thread: the wait starts by registering for the notice, which may wait for Redis to
     * confirm a subscription. Cancelling the subscription (the client went away) ends the wait.
     *
     * @param job the job as its caller just read or created it
     * @return the job once final, or as last known when the budget ran out
     */
    public Uni<Job> await(Job job, Duration budget) {
        if (job.status().isFinal() || budget.isZero() || budget.isNegative()) {
            return Uni.createFrom().item(job);
        }
        Instant deadline = clock.instant().plus(budget);
        return Uni.createFrom().emitter(emitter -> new Wait(job, deadline, emitter).start());
    }

    /** One request's wait. Its state changes under its own lock; it answers once, outside the lock. */
    private final class Wait {

        private final String jobId;
        private final Instant deadline;
        private final UniEmitter<? super Job> emitter;
        private CompletionNotices.Watch watch;
        private Job current;
        private Duration backOff = config.firstReadInterval();
        private long readTimer = NO_TIMER;
        private long deadlineTimer = NO_TIMER;
        private boolean reading;
        /** A bare notice came while a read was under way: that read may predate the final write. */
        private boolean readAgain;
        private boolean budgetSpent;
        private boolean ended;

        Wait(Job job, Instant deadline, UniEmitter<? super Job> emitter) {
            this.jobId = job.id();
            this.current = job;
            this.deadline = deadline;
            this.emitter = emitter;
        }

        void start() {
            watch = notices.watch(jobId);
            // answered, failed, or cancelled because the client went away
            emitter.onTermination(this::end);
            synchronized (this) {
                deadlineTimer = vertx.setTimer(millisUntil(deadline), id -> onDeadline());
                // A job that finished while its caller read or created it, before notices were heard, is found
                // by one early read; otherwise the notice will tell, and reads are only a safety net.
                scheduleRead(watch.heardEarlierNotices() ? config.liveReadInterval() : nextBackOff());
            }
            watch.notified().thenAccept(this::onNotice);
        }

        private void onNotice(Optional<Job> announced) {
            if (announced.isPresent()) {
                answer(announced.get());
            } else {
                // a bare notice (the job must be read) or the subscription dropped
                read();
            }
        }

        private void read() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                if (reading) {
                    readAgain = true;
                    return;
                }
                reading = true;
                cancel(readTimer);
                readTimer = NO_TIMER;
            }
            vertx.executeBlocking(() -> store.find(jobId), false).onComplete(this::onRead);
        }

        private void onRead(AsyncResult<Optional<Job>> read) {
            if (read.failed()) {
                fail(read.cause());
                return;
            }
            Job answer = null;
            boolean again;
            synchronized (this) {
                reading = false;
                if (ended) {
                    return;
                }
                current = read.result().orElse(current);
                again = readAgain;
                readAgain = false;
                if (current.status().isFinal() || budgetSpent) {
                    answer = current;
                } else if (!again) {
                    scheduleRead(noticeCanArrive() ? config.liveReadInterval() : nextBackOff());
                }
            }
            if (answer != null) {
                answer(answer);
            } else if (again) {
                read();
            }
        }

        private void onDeadline() {
            Job answer = null;
            synchronized (this) {
                if (ended) {
                    return;
                }
                budgetSpent = true;
                deadlineTimer = NO_TIMER;
                if (noticeCanArrive()) {
                    answer = current;
                }
            }
            if (answer != null) {
                answer(answer);
            } else {
                // Notices are down, so the reads are the mechanism: one last look (a read under way is that look).
                read();
            }
        }

        /** Next read after {@code interval}, unless the budget ends first (the deadline then answers). */
        private void scheduleRead(Duration interval) {
            if (clock.instant().plus(interval).isBefore(deadline)) {
                readTimer = vertx.setTimer(Math.max(1, interval.toMillis()), id -> read());
            }
        }

        private Duration nextBackOff() {
            Duration interval = backOff;
            Duration doubled = backOff.multipliedBy(2);
            backOff = doubled.compareTo(config.maxReadInterval()) <= 0 ? doubled : config.maxReadInterval();
            return interval;
        }

        private boolean noticeCanArrive() {
            return !watch.notified().isDone() && watch.live();
        }

        private void answer(Job job) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            emitter.complete(job);
        }

        private void fail(Throwable failure) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            emitter.fail(failure);
        }

        private void end() {
            synchronized (this) {
                ended = true;
                cancel(readTimer);
                cancel(deadlineTimer);
                readTimer = NO_TIMER;
                deadlineTimer = NO_TIMER;
            }
            watch.close();
        }

        private void cancel(long timer) {
            if (timer != NO_TIMER) {
                vertx.cancelTimer(timer);
            }
        }

        private long millisUntil(Instant instant) {
            return Math.max(1, Duration.between(clock.instant(), instant).toMillis());
        }
    }
}
