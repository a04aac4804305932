package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;

import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import org.junit.jupiter.api.Test;

/** The simulation against answers known without it: queueing formulas and the engine's own calibration. */
class QueueingTest {

    @Test
    void oneServerFixedServiceTimePoissonArrivals_waitsAsPollaczekKhinchineSays() {
        // GIVEN an M/D/1 queue: one always-on task running one job at a time, 1 s per job, 0.7 jobs/s
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1, "workerConcurrency", 1)))
                .engine(new EngineModel.Fixed(1.0))
                .fleet(Plans.instantDispatch())
                .build();
        Profile arrivals = new Profile(Profile.Shape.STEADY,
                new Profile.Parameters(0.7, "m", new TierMix(0, 1, 0), 100, 100, 80, 3));

        // WHEN about 200,000 jobs go through it
        PlanResult result = Simulation.run(arrivals, system, ScalingPolicies.FIXED);

        // THEN the mean wait is rho D / (2 (1 - rho)) = 1.1667 s, and 1 - rho of the jobs do not wait at all
        assertThat(result.counts().spilled()).isGreaterThan(195_000);
        assertThat(result.queueWait().mean()).isCloseTo(0.7 / (2 * 0.3), within(0.05));
        assertThat(result.queueWait().p50()).isGreaterThan(0);
        assertThat(result.busySecondsPerJob()).isCloseTo(1.0, offset(1e-6));
    }

    @Test
    void fullBatch_finishesTheConfiguredJobsPerSecond_andOneJobAloneRunsBatchingGainFaster() {
        // GIVEN a task of 8 slots calibrated to 2 jobs/s at full batch, 6x one-at-a-time throughput
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1, "workerConcurrency", 8)))
                .engine(new EngineModel.Batched(2, 6, 100))
                .fleet(Plans.instantDispatch())
                .build();

        // WHEN 800 identical jobs arrive at once, or a single one
        PlanResult full = Simulation.run(Plans.burst(800, 0), system, ScalingPolicies.FIXED);
        PlanResult alone = Simulation.run(Plans.burst(1, 0), system, ScalingPolicies.FIXED);

        // THEN the full batches take 1 / 2 s of task time per job; alone, a job takes 8 / 2 x 6 / 8 = 3 s
        assertThat(full.busySecondsPerJob()).isCloseTo(0.5, offset(1e-6));
        assertThat(full.queueWait().max()).isCloseTo(396, offset(1e-3));
        assertThat(alone.busySecondsPerJob()).isCloseTo(3.0, offset(1e-6));
        assertThat(alone.queueWait().max()).isZero();
    }
}
