package dev.spillway.intake.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class WaitPreferenceTest {

    @Test
    void readsWaitSeconds() {
        assertThat(WaitPreference.parse("wait=10")).hasValue(Duration.ofSeconds(10));
        assertThat(WaitPreference.parse("return=minimal, wait=3")).hasValue(Duration.ofSeconds(3));
        assertThat(WaitPreference.parse("WAIT=\"7\"")).hasValue(Duration.ofSeconds(7));
    }

    @Test
    void respondAsyncMeansNoWait() {
        assertThat(WaitPreference.parse("respond-async, wait=10")).hasValue(Duration.ZERO);
    }

    @Test
    void ignoresWhatItCannotRead() {
        assertThat(WaitPreference.parse(null)).isEmpty();
        assertThat(WaitPreference.parse("wait=soon")).isEmpty();
        assertThat(WaitPreference.parse("wait=-1")).isEmpty();
        assertThat(WaitPreference.parse("wait=99999999999")).isEmpty();
        assertThat(WaitPreference.parse("handling=strict")).isEmpty();
    }
}
