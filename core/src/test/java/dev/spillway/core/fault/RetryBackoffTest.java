package dev.spillway.core.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofMillis(700));

    @Test
    void ceiling_doublesPerRetry_upToTheCap() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(700));
        assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void delay_isJitteredWithinTheCeiling() {
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.delay(2)).isBetween(Duration.ZERO, Duration.ofMillis(200));
        }
    }

    @Test
    void pause_whenInterrupted_returnsFalseAndKeepsTheInterrupt() {
        RetryBackoff hourLong = new RetryBackoff(Duration.ofHours(1), Duration.ofHours(1));
        Thread.currentThread().interrupt();
        try {
            boolean completed = hourLong.pause(1);

            assertThat(completed).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
