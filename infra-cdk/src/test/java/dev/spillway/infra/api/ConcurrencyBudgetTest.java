package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConcurrencyBudgetTest {

    private static ConcurrencyBudget budget(final int intake, final int hold, final int rate, final int burst) {
        return new ConcurrencyBudget(intake, hold, rate, burst, 5, 10, 20, 3);
    }

    @Test
    void defaults_letEveryAdmittedRequestStreamForTheWholeLimitInsideTheReservation() {
        ConcurrencyBudget defaults = budget(ConcurrencyBudget.DEFAULT_INTAKE, IntakeTimeouts.DEFAULT_STREAM_SECONDS,
                ConcurrencyBudget.DEFAULT_THROTTLE_RATE, ConcurrencyBudget.DEFAULT_THROTTLE_BURST);

        assertThat(defaults.admittedWithinOneHold()).isEqualTo(100 + 5 * 120).isLessThanOrEqualTo(defaults.intake());
        assertThat(defaults.validate()).isEmpty();
        // the default account limit is 1,000, of which Lambda keeps 100 unreserved
        assertThat(defaults.totalReserved()).isEqualTo(738).isLessThanOrEqualTo(900);
    }

    @Test
    void aThrottleAboveWhatTheReservationHolds_isRefusedWithTheArithmetic() {
        assertThat(budget(500, 20, 30, 100).validate()).singleElement().asString()
                .contains("admits up to 700 requests within one 20 s stream")
                .contains("more than the intake's reserved concurrency of 500");
    }

    @Test
    void aQueueTriggerBelowItsMinimum_isRefused() {
        assertThat(new ConcurrencyBudget(500, 20, 20, 100, 5, 1, 20, 3).validate()).singleElement().asString()
                .contains("ingestConcurrency must be at least 2");
    }
}
