package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.policy.PredictiveScaling;
import dev.spillway.capacity.policy.PrescaleOptions;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import org.junit.jupiter.api.Test;

/** The {@code predictive} policy in whole plans: what a wrong forecast costs, and the history it learns from. */
class PredictivePlanTest {

    private final SystemModel system = SystemModel.builder(Plans.settings(Map.of(CapacitySettings.MIN_TASKS, 1)))
            .build();

    @Test
    void wrongForecast_costsAtMostTheBudget() {
        // history: a peak of 0.4 jobs/s (3 tasks) every day from 08:00 to 16:00; the day planned stays quiet
        double[] history = new double[2 * 288];
        for (int i = 0; i < history.length; i++) {
            history[i] = i % 288 >= 96 && i % 288 < 192 ? 120 : 6;
        }
        double budget = 1.0;
        PredictiveScaling predictive = new PredictiveScaling(PrescaleOptions.defaults().withBudget(budget),
                Map.of("m", history));
        Profile quiet = steadyDay(0.02, 1);

        PlanResult reactive = Simulation.run(quiet, system, ScalingPolicies.REACTIVE);
        PlanResult wrong = Simulation.run(quiet, system, predictive);

        double extra = wrong.usage().gpuInstanceHours() - reactive.usage().gpuInstanceHours();
        assertThat(extra).as("the floor spent part of its budget, and no more")
                .isGreaterThan(0.5).isLessThanOrEqualTo(budget + 1e-9);
        assertThat(wrong.scalingEvents()).anySatisfy(event -> assertThat(event.reason()).startsWith("pre-scaling: "));
    }

    @Test
    void priorDays_countEachFleetsSpilledArrivalsPerInterval() {
        Profile day = steadyDay(0.2, 7);

        Map<String, double[]> history = PriorDays.spilledArrivals(seed -> steadyDay(0.2, seed), system,
                new long[] {7, 7}, 1440, 5);

        double[] series = history.get("m");
        assertThat(series).hasSize(2 * 288);
        long spilled = Simulation.run(day, system, ScalingPolicies.REACTIVE).counts().spilled();
        assertThat(Arrays.stream(series, 0, 288).sum()).as("the day's spilled jobs, a minute's worth at most missing")
                .isCloseTo(spilled, within(0.2 * 60 * 2));
        assertThat(Arrays.copyOfRange(series, 288, 576)).as("the same seed, the same day")
                .containsExactly(Arrays.copyOfRange(series, 0, 288));
    }

    private static Profile steadyDay(final double rate, final long seed) {
        return new Profile(Profile.Shape.STEADY, new Profile.Parameters(rate, "m", TierMix.parse("0.2,0.6,0.2"),
                200, 100, 24, seed));
    }
}
