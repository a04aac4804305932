package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private final RestartBackoff backoff = RestartBackoff.standard();

    @Test
    void afterExit_ofAWorkerThatKeepsDying_doublesFromOneSecondUpToThirty() {
        // GIVEN a worker that dies right after each start
        // WHEN it has died seven times
        var delays = IntStream.range(0, 7).mapToObj(i -> backoff.afterExit(Duration.ofMillis(500)).toSeconds()).toList();

        // THEN the delays double and stop at 30 s
        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
    }

    @Test
    void afterExit_ofAWorkerThatStayedUpAMinute_startsAgainFromOneSecond() {
        backoff.afterExit(Duration.ofSeconds(1));
        backoff.afterExit(Duration.ofSeconds(1));
        assertThat(backoff.afterExit(Duration.ofSeconds(59))).isEqualTo(Duration.ofSeconds(4));

        Duration delay = backoff.afterExit(Duration.ofSeconds(60));

        assertThat(delay).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.afterExit(Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
    }
}
