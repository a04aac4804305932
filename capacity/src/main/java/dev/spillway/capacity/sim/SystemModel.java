package dev.spillway.capacity.sim;

import java.time.Duration;
import java.util.List;

import dev.spillway.capacity.CapacitySettings;

/**
 * Everything the simulation runs on besides the workload and the scaling policy.
 *
 * @param capacity     the CDK app's settings: fleet size, batch size, scaling targets and cooldowns, cold start,
 *                     the intake's reservation
 * @param engine       how fast a task works through its jobs
 * @param fleet        the fleet's behaviour beyond the settings
 * @param intake       the intake function
 * @param direct       the direct lane, {@link DirectLaneModel#NONE} for none
 * @param cacheHitRate share of requests answered from the cache
 * @param jobDeadline  how long a job may wait in the queue before it expires ({@code spillway.jobs.deadline})
 * @param drainLimit   how long after the workload ends the simulation goes on for the queues to drain
 * @param seed         seed of the cache draws and cold-start times
 */
public record SystemModel(CapacitySettings capacity, EngineModel engine, FleetModel fleet, IntakeModel intake,
                          DirectLaneModel direct, double cacheHitRate, Duration jobDeadline, Duration drainLimit,
                          long seed) {

    public SystemModel {
        List<String> problems = capacity.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (!(cacheHitRate >= 0 && cacheHitRate <= 1)) {
            throw new IllegalArgumentException("the cache hit rate is between 0 and 1, got " + cacheHitRate);
        }
        if (engine instanceof EngineModel.Batched batched && batched.batchingGain() > capacity.workerConcurrency()) {
            throw new IllegalArgumentException("batching cannot gain more than the batch size ("
                    + capacity.workerConcurrency() + "), got " + batched.batchingGain());
        }
    }

    /**
     * The defaults: a batched engine finishing {@code 1 / meanProcessingTime} jobs per second per task with its batch
     * full and gaining three quarters of the batch size over one job at a time, no direct lane, no cache hits.
     */
    public static Builder builder(final CapacitySettings capacity) {
        return new Builder(capacity);
    }

    /** Sets what differs from {@link #builder}'s defaults. */
    public static final class Builder {
        private final CapacitySettings capacity;
        private EngineModel engine;
        private FleetModel fleet = FleetModel.defaults();
        private IntakeModel intake = IntakeModel.defaults();
        private DirectLaneModel direct = DirectLaneModel.NONE;
        private double cacheHitRate;
        private Duration jobDeadline = Duration.ofDays(1);
        private Duration drainLimit = Duration.ofDays(1);
        private long seed = 1;

        private Builder(final CapacitySettings capacity) {
            this.capacity = capacity;
            this.engine = new EngineModel.Batched(capacity.taskJobsPerSecond(),
                    Math.max(1, 0.75 * capacity.workerConcurrency()), 100);
        }

        public Builder engine(final EngineModel value) {
            this.engine = value;
            return this;
        }

        public Builder fleet(final FleetModel value) {
            this.fleet = value;
            return this;
        }

        public Builder intake(final IntakeModel value) {
            this.intake = value;
            return this;
        }

        public Builder direct(final DirectLaneModel value) {
            this.direct = value;
            return this;
        }

        public Builder cacheHitRate(final double value) {
            this.cacheHitRate = value;
            return this;
        }

        public Builder jobDeadline(final Duration value) {
            this.jobDeadline = value;
            return this;
        }

        public Builder drainLimit(final Duration value) {
            this.drainLimit = value;
            return this;
        }

        public Builder seed(final long value) {
            this.seed = value;
            return this;
        }

        public SystemModel build() {
            return new SystemModel(capacity, engine, fleet, intake, direct, cacheHitRate, jobDeadline, drainLimit,
                    seed);
        }
    }
}
