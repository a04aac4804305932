package dev.spillway.capacity.sim;

import java.util.List;

/** How long a worker task takes over its jobs. */
public sealed interface EngineModel {

    /** Each job holds one of the task's slots for a fixed time, however full the batch (a scripted engine). */
    record Fixed(double jobSeconds) implements EngineModel {

        public Fixed {
            if (!(jobSeconds > 0)) {
                throw new IllegalArgumentException("a job's time must be positive, got " + jobSeconds);
            }
        }
    }

    /**
     * Continuous batching as on a GPU: every active sequence gains a token per decode step, a step takes longer the
     * more sequences share it, and a prompt costs {@code promptTokens / prefillTokensPerStep} steps. Calibrated so
     * that a task with its batch full of the workload's mean request finishes {@code jobsPerSecond} jobs a second,
     * and {@code batchingGain} times the throughput of the same task running one job at a time.
     *
     * @param jobsPerSecond        jobs per second one task finishes with a full batch of average jobs
     * @param batchingGain         full-batch throughput over one-at-a-time throughput, between 1 and the batch size
     * @param prefillTokensPerStep prompt tokens that cost as much as one decode step
     */
    record Batched(double jobsPerSecond, double batchingGain, double prefillTokensPerStep) implements EngineModel {

        public Batched {
            if (!(jobsPerSecond > 0) || !(batchingGain >= 1) || !(prefillTokensPerStep > 0)) {
                throw new IllegalArgumentException("batched engine needs jobsPerSecond > 0, batchingGain >= 1 and "
                        + "prefillTokensPerStep > 0, got " + jobsPerSecond + ", " + batchingGain + ", "
                        + prefillTokensPerStep);
            }
        }
    }

    /**
     * Each job holds one of the task's slots for a time drawn at random from measured ones, however full the batch:
     * what a fixed time leaves out is the spread, and queues grow with the spread of service times.
     */
    record Sampled(List<Double> jobSeconds) implements EngineModel {

        public Sampled {
            if (jobSeconds.isEmpty() || jobSeconds.stream().anyMatch(s -> !(s > 0))) {
                throw new IllegalArgumentException("sampled job times must be positive, and there must be some");
            }
            jobSeconds = List.copyOf(jobSeconds);
        }
    }

    /**
     * Each job holds one of the task's slots for the time listed for it, jobs taken in the order the intake accepts
     * them (and the list repeated if it is shorter): a measured run's own service times, replayed.
     */
    record Replayed(List<Double> jobSeconds) implements EngineModel {

        public Replayed {
            if (jobSeconds.isEmpty() || jobSeconds.stream().anyMatch(s -> !(s > 0))) {
                throw new IllegalArgumentException("replayed job times must be positive, and there must be some");
            }
            jobSeconds = List.copyOf(jobSeconds);
        }
    }
}
