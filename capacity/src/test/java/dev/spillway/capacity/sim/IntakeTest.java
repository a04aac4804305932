package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import org.junit.jupiter.api.Test;

class IntakeTest {

    /** 20 requests a second for an hour, interactive and standard: every one has a 25 s budget. */
    private static final Profile BUSY_HOUR = new Profile(Profile.Shape.STEADY,
            new Profile.Parameters(20, "m", new TierMix(1, 1, 0), 500, 300, 1, 9));

    @Test
    void hopelessQueue_underTheEtaRule_isAnswered202AtOnce_insteadOfHoldingAFunctionPerCaller() {
        // GIVEN a fleet that drains 2 jobs/s against 20 arriving: the queue only grows
        SystemModel.Builder hopeless = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1)))
                .engine(new EngineModel.Batched(2, 6, 100));

        // WHEN the intake holds callers only while the estimate fits their budget, or always
        PlanResult eta = Simulation.run(BUSY_HOUR, hopeless.intake(intake(HoldRule.ETA)).build(),
                ScalingPolicies.FIXED);
        PlanResult budget = Simulation.run(BUSY_HOUR, hopeless.intake(intake(HoldRule.BUDGET)).build(),
                ScalingPolicies.FIXED);

        // THEN holding everyone pins arrivals x budget = 20 x 25 = 500 functions on average (the peak over an hour
        // of Poisson arrivals is some 4 standard deviations of 22 above); the ETA rule holds only the first few
        // seconds of callers, while the queue is still short enough for their budget
        assertThat(budget.peakIntakeConcurrency()).isBetween(480, 620);
        assertThat(budget.counts().heldThen202()).isGreaterThan(budget.counts().spilled() * 9 / 10);
        assertThat(eta.peakIntakeConcurrency()).isLessThan(budget.peakIntakeConcurrency() / 4);
        assertThat(eta.counts().answered202()).isGreaterThan(eta.counts().spilled() * 9 / 10);
        // callers told the estimate poll first when it falls due, not after 2 s; starved standard jobs, whose
        // estimate cannot foresee the interactive work that keeps overtaking them, still poll for hours
        assertThat(eta.counts().polls()).isLessThan(budget.counts().polls() / 2);
    }

    @Test
    void intakeAtItsReservedConcurrency_turnsRequestsAway() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1, "reservedConcurrency", 100)))
                .engine(new EngineModel.Batched(2, 6, 100))
                .intake(intake(HoldRule.BUDGET))
                .build();

        PlanResult result = Simulation.run(BUSY_HOUR, system, ScalingPolicies.FIXED);

        assertThat(result.peakIntakeConcurrency()).isEqualTo(100);
        assertThat(result.counts().throttled()).isGreaterThan(result.counts().arrivals() / 2);
    }

    @Test
    void directLane_servesWhileItHasSlots_and429sSpillWhenTheBulkheadExceedsTheUpstreamLimit() {
        // 20/s of 300 tokens at 40 tokens/s: about 155 calls in flight wanted, against 16 slots
        DirectLaneModel within = new DirectLaneModel(16, 16, 0.5, 40);
        DirectLaneModel beyond = new DirectLaneModel(16, 8, 0.5, 40);
        SystemModel.Builder system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 8)))
                .engine(new EngineModel.Batched(6, 6, 100));

        PlanResult withinLimit = Simulation.run(BUSY_HOUR, system.direct(within).build(), ScalingPolicies.FIXED);
        PlanResult pastLimit = Simulation.run(BUSY_HOUR, system.direct(beyond).build(), ScalingPolicies.FIXED);

        assertThat(withinLimit.counts().direct()).isGreaterThan(5_000);
        assertThat(withinLimit.counts().upstream429()).isZero();
        assertThat(withinLimit.counts().direct() + withinLimit.counts().spilled())
                .isEqualTo(withinLimit.counts().arrivals());
        assertThat(pastLimit.counts().upstream429()).isGreaterThan(1_000);
        assertThat(pastLimit.counts().direct()).isLessThan(withinLimit.counts().direct());
        assertThat(pastLimit.usage().directOutputTokens()).isLessThan(withinLimit.usage().directOutputTokens());
    }

    @Test
    void cacheHits_areTheConfiguredShare_andNeverReachTheQueue() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 8)))
                .engine(new EngineModel.Batched(6, 6, 100))
                .cacheHitRate(0.3)
                .build();

        PlanResult result = Simulation.run(BUSY_HOUR, system, ScalingPolicies.FIXED);

        double share = (double) result.counts().cacheHits() / result.counts().arrivals();
        assertThat(share).isBetween(0.29, 0.31);
        assertThat(result.counts().spilled()).isEqualTo(result.counts().arrivals() - result.counts().cacheHits());
    }

    private static IntakeModel intake(final HoldRule rule) {
        IntakeModel defaults = IntakeModel.defaults();
        return new IntakeModel(defaults.memoryMb(), Duration.ofSeconds(25), rule,
                defaults.pollAfter(), defaults.hitSeconds(), defaults.spillSeconds(), defaults.pollSeconds());
    }
}
