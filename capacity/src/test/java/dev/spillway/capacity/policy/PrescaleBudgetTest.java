package dev.spillway.capacity.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The day's GPU-hour budget, spent one period at a time and carried over restarts as its {@code State}. */
class PrescaleBudgetTest {

    private static final Duration LINGER = Duration.ofMinutes(15);
    private static final double MINUTE = 1 / 60.0;

    @Test
    void grant_aForecastThatAsksForeverCostsAtMostTheBudget_includingTheLingerWhenReleased() {
        // GIVEN 1 GPU-hour a day and a (wrong) forecast asking for 3 extra tasks every minute of the day
        PrescaleBudget budget = new PrescaleBudget(1.0, LINGER, PrescaleBudget.State.EMPTY);
        int grantedMinutes = 0;
        for (int minute = 0; minute < 24 * 60; minute++) {
            grantedMinutes += budget.grant(minute * 60.0, 3, MINUTE);
        }

        // THEN tasks were granted, and the day's charge (periods and linger) never passed the budget
        assertThat(grantedMinutes).isPositive();
        assertThat(budget.chargedToday()).isLessThanOrEqualTo(1.0 + 1e-9).isGreaterThan(0.9);
        assertThat(budget.state().extraTasks()).isZero();
    }

    @Test
    void grant_restoredFromItsState_continuesTheSameDaysCharge_andANewDayStartsAfresh() {
        // GIVEN a budget that spent 0.5 of 0.6 GPU-hours, and a restart that restores its state
        PrescaleBudget before = new PrescaleBudget(0.6, LINGER, new PrescaleBudget.State(0, 0.5, 0));
        PrescaleBudget.State kept = before.state();
        PrescaleBudget after = new PrescaleBudget(0.6, LINGER, kept);

        // WHEN one extra task is asked for: a minute plus its 15-minute linger (0.27 h) no longer fit
        int granted = after.grant(3600, 1, MINUTE);

        // THEN nothing is granted today; the next day the same request is granted
        assertThat(granted).isZero();
        assertThat(after.chargedToday()).isEqualTo(0.5);
        assertThat(after.grant(86_400 + 60, 1, MINUTE)).isEqualTo(1);
        assertThat(after.state().day()).isEqualTo(1);
        assertThat(after.chargedToday()).isEqualTo(MINUTE);
    }

    @Test
    void grant_withNoBudget_grantsNothing() {
        PrescaleBudget budget = new PrescaleBudget(0, LINGER, PrescaleBudget.State.EMPTY);

        assertThat(budget.grant(0, 5, MINUTE)).isZero();
        assertThat(budget.chargedTotal()).isZero();
    }
}
