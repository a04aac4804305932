package dev.spillway.local.events;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.spillway.core.fault.RetryBackoff;

/**
 * The thread a local event-source poller runs on. After a poll that found nothing it pauses, each pause twice the
 * last from the first pause up to the longest, so an idle stack costs next to nothing; a poll that finds work
 * resets the pace. A failed poll is logged and tried again after a pause that grows the same way from a second.
 */
final class PollingLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PollingLoop.class);
    private static final RetryBackoff FAILURE_BACKOFF = new RetryBackoff(Duration.ofSeconds(1),
            Duration.ofSeconds(30));

    /** One look for work. */
    @FunctionalInterface
    interface Poll {
        /** @return how much work it found and handed over */
        int once() throws InterruptedException;
    }

    private final String name;
    private final RetryBackoff idle;
    private final Poll poll;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;

    private PollingLoop(String name, Duration firstPause, Duration longestPause, Poll poll) {
        this.name = name;
        this.idle = new RetryBackoff(firstPause, longestPause);
        this.poll = poll;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /** @param name the thread's name, also in the log lines of failed polls */
    static PollingLoop start(String name, Duration firstPause, Duration longestPause, Poll poll) {
        PollingLoop loop = new PollingLoop(name, firstPause, longestPause, poll);
        loop.thread.start();
        return loop;
    }

    private void run() {
        int emptyPolls = 0;
        int failedPolls = 0;
        try {
            while (stopped.getCount() > 0) {
                try {
                    boolean found = poll.once() > 0;
                    failedPolls = 0;
                    emptyPolls = found ? 0 : emptyPolls + 1;
                    if (!found) {
                        pause(idle.ceiling(emptyPolls));
                    }
                } catch (RuntimeException e) {
                    failedPolls++;
                    Duration pause = FAILURE_BACKOFF.ceiling(failedPolls);
                    LOG.warnf("%s: %s (trying again in %s)", name, e.toString(), pause);
                    pause(pause);
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        }
    }

    private void pause(Duration pause) throws InterruptedException {
        stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops polling. A poll under way is interrupted and given a moment to end; a long poll blocked in its socket
     * read cannot be interrupted, and is left to end on its daemon thread.
     */
    @Override
    public void close() {
        stopped.countDown();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
