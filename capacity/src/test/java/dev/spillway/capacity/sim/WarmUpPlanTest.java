package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import org.junit.jupiter.api.Test;

/** The cache modelled from prompt identity, with and without warm-up of the hot set, on a day of the daily profile. */
class WarmUpPlanTest {

    private static final Profile DAY = new Profile(Profile.Shape.DAILY, new Profile.Parameters(0.3, "m",
            TierMix.parse("0.2,0.6,0.2"), 200, 100, 24, 5));
    private static final int JOBS_PER_HOUR = 60;

    private final SystemModel system = SystemModel.builder(Plans.settings(Map.of(CapacitySettings.MIN_TASKS, 1)))
            .cache(CacheModel.defaults().withWarmUpJobsPerHour(JOBS_PER_HOUR))
            .build();

    @Test
    void warmUp_raisesTheCacheHitRateInThePeak_withinItsJobsPerHourBudget() {
        PlanResult cold = Simulation.run(DAY, system, ScalingPolicies.REACTIVE);
        PlanResult warm = Simulation.run(DAY, system, ScalingPolicies.named("reactive+warm-up"));

        String window = Profile.PEAK_START;
        assertThat(cold.warmUpJobs()).isZero();
        assertThat(cold.cacheHitRateByWindow().get(window)).as("hits follow from repeated prompts").isPositive();
        assertThat(warm.cacheHitRateByWindow().get(window)).isGreaterThan(cold.cacheHitRateByWindow().get(window));
        assertThat(warm.warmUpJobs()).isPositive().isLessThanOrEqualTo(24L * JOBS_PER_HOUR);
        assertThat(warm.counts().arrivals()).isEqualTo(cold.counts().arrivals());
        assertThat(warm.queueWait().count()).as("warm-up jobs are not callers' jobs")
                .isEqualTo(warm.counts().spilled());
    }

    @Test
    void withoutACacheModel_warmUpDoesNothing() {
        SystemModel fixedRate = SystemModel.builder(Plans.settings(Map.of(CapacitySettings.MIN_TASKS, 1)))
                .cacheHitRate(0.3).build();

        PlanResult plain = Simulation.run(DAY, fixedRate, ScalingPolicies.REACTIVE);
        PlanResult warm = Simulation.run(DAY, fixedRate, ScalingPolicies.named("reactive+warm-up"));

        assertThat(warm.warmUpJobs()).isZero();
        assertThat(warm.counts()).isEqualTo(plain.counts());
    }
}
