package dev.spillway.local.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The loop under the local event-source pollers: it outlives failed polls and stops when closed. */
class PollingLoopTest {

    @Test
    void failedPoll_isLoggedAndTriedAgain() {
        // GIVEN a poll that fails once, then finds work
        AtomicInteger polls = new AtomicInteger();

        // WHEN the loop runs it
        try (PollingLoop loop = PollingLoop.start("test-poller", Duration.ZERO, Duration.ZERO, () -> {
            if (polls.incrementAndGet() == 1) {
                throw new IllegalStateException("queue unreachable");
            }
            return 1;
        })) {
            // THEN it polls again after the failure
            await().atMost(Duration.ofSeconds(30)).until(() -> polls.get() >= 3);
        }
    }

    @Test
    void close_interruptsAPollUnderWay_andEndsTheLoop() throws Exception {
        // GIVEN a poll blocked until interrupted
        CountDownLatch polling = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger polls = new AtomicInteger();
        PollingLoop loop = PollingLoop.start("test-poller", Duration.ZERO, Duration.ZERO, () -> {
            polls.incrementAndGet();
            polling.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            return 0;
        });
        polling.await();

        // WHEN the loop is closed
        loop.close();

        // THEN the poll was interrupted and no other began
        assertThat(interrupted).isTrue();
        assertThat(polls).hasValue(1);
    }
}
