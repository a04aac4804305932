package dev.spillway.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(2);

    @Test
    void ceiling_doublesPerRetryUpToTheMaximum() {
        Backoff backoff = new Backoff(INITIAL, MAX, () -> 0.5);

        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.ceiling(6)).isEqualTo(MAX);
        assertThat(backoff.ceiling(1000)).isEqualTo(MAX);
    }

    @Test
    void delay_staysWithinZeroAndTheCeiling_andSpreadsAcrossIt() {
        Random seeded = new Random(42);
        Backoff backoff = new Backoff(INITIAL, MAX, seeded::nextDouble);
        long below = 0;
        long above = 0;

        for (int i = 0; i < 1000; i++) {
            Duration delay = backoff.delay(3, Optional.empty());
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofMillis(400));
            if (delay.toMillis() < 200) {
                below++;
            } else {
                above++;
            }
        }
        // full jitter: both halves of the range are used, so synchronized callers spread out
        assertThat(below).isGreaterThan(300);
        assertThat(above).isGreaterThan(300);
    }

    @Test
    void delay_atTheRandomExtremes_isZeroOrJustBelowTheCeiling() {
        assertThat(new Backoff(INITIAL, MAX, () -> 0.0).delay(2, Optional.empty())).isZero();
        assertThat(new Backoff(INITIAL, MAX, () -> 0.9999).delay(2, Optional.empty()))
                .isBetween(Duration.ofMillis(199), Duration.ofMillis(200));
    }

    @Test
    void delay_neverUndercutsRetryAfter() {
        Backoff backoff = new Backoff(INITIAL, MAX, () -> 0.9999);

        assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(3)))).isEqualTo(Duration.ofSeconds(3));
        // a Retry-After shorter than the jittered delay does not shorten it
        assertThat(backoff.delay(3, Optional.of(Duration.ofMillis(10)))).isGreaterThan(Duration.ofMillis(390));
    }

    @Test
    void construction_rejectsAMaximumBelowTheInitialDelay() {
        assertThatThrownBy(() -> new Backoff(MAX, INITIAL, () -> 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
