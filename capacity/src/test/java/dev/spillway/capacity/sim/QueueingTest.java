package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
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
    void oneServerWithSampledServiceTimes_waitsLongerForTheirSpread_asPollaczekKhinchineSays() {
        // GIVEN an M/G/1 queue whose jobs take 0.5 s or 1.5 s, equally often: mean 1 s, E[S^2] = 1.25 s^2
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1, "workerConcurrency", 1)))
                .engine(new EngineModel.Sampled(List.of(0.5, 1.5)))
                .fleet(Plans.instantDispatch())
                .build();
        Profile arrivals = new Profile(Profile.Shape.STEADY,
                new Profile.Parameters(0.7, "m", new TierMix(0, 1, 0), 100, 100, 80, 3));

        PlanResult result = Simulation.run(arrivals, system, ScalingPolicies.FIXED);

        // THEN the mean wait is lambda E[S^2] / (2 (1 - rho)) = 1.4583 s, a quarter more than with a fixed 1 s
        assertThat(result.queueWait().mean()).isCloseTo(0.7 * 1.25 / (2 * 0.3), within(0.06));
        assertThat(result.busySecondsPerJob()).isCloseTo(1.0, offset(0.01));
    }

    @Test
    void replayedServiceTimes_goToTheJobsInTheOrderTheyWereAccepted() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("maxTasks", 1, "workerConcurrency", 1)))
                .engine(new EngineModel.Replayed(List.of(1.0, 2.0, 3.0)))
                .fleet(Plans.instantDispatch())
                .build();

        PlanResult result = Simulation.run(Plans.burst(3, 0), system, ScalingPolicies.FIXED);

        // the jobs start at 0, 1 and 1 + 2
        assertThat(result.queueWait().max()).isEqualTo(3.0);
        assertThat(result.queueWait().mean()).isCloseTo(4.0 / 3, offset(1e-6));
        assertThat(result.busySecondsPerJob()).isCloseTo(2.0, offset(1e-9));
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
