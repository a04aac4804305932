package dev.spillway.capacity.sim;

import dev.spillway.capacity.workload.Request;

/**
 * An {@link EngineModel} made concrete for one workload and batch size: a job needs {@link #work} steps, and a step
 * with {@code n} jobs sharing it takes {@link #stepSeconds}. Every running job advances one step per step, so a task
 * is a processor shared by its jobs at a speed that depends on how many there are.
 */
final class StepCost {

    private final double firstStepSeconds;
    /** Extra step time per additional sequence, as a share of a one-sequence step. */
    private final double perSequence;
    private final double fullBatchJobSeconds;

    private StepCost(final double firstStepSeconds, final double perSequence, final double fullBatchJobSeconds) {
        this.firstStepSeconds = firstStepSeconds;
        this.perSequence = perSequence;
        this.fullBatchJobSeconds = fullBatchJobSeconds;
    }

    /**
     * @param batchSize the worker's concurrency
     * @param meanWork  mean {@link #work} of the workload's requests, for the calibration
     */
    static StepCost of(final EngineModel engine, final int batchSize, final double meanWork) {
        if (engine instanceof EngineModel.Fixed fixed) {
            return new StepCost(fixed.jobSeconds(), 0, fixed.jobSeconds());
        }
        EngineModel.Batched batched = (EngineModel.Batched) engine;
        // A full batch is batchingGain times faster than one job at a time: c / (1 + (c - 1) k) = gain.
        double perSequence = batchSize == 1 ? 0 : (batchSize / batched.batchingGain() - 1) / (batchSize - 1);
        // ...and finishes jobsPerSecond average jobs: c / (fullStep x meanWork) = jobsPerSecond.
        double fullStep = batchSize / (batched.jobsPerSecond() * meanWork);
        double firstStep = fullStep / (1 + (batchSize - 1) * perSequence);
        return new StepCost(firstStep, perSequence, fullStep * meanWork);
    }

    /** Steps a request needs: one per output token, and its prompt's prefill; a fixed-time job is one step. */
    static double work(final EngineModel engine, final Request request) {
        if (engine instanceof EngineModel.Batched batched) {
            return Math.max(1, request.outputTokens() + request.promptTokens() / batched.prefillTokensPerStep());
        }
        return 1;
    }

    double stepSeconds(final int sequences) {
        return firstStepSeconds * (1 + (sequences - 1) * perSequence);
    }

    /** How long an average job takes in a full batch. */
    double fullBatchJobSeconds() {
        return fullBatchJobSeconds;
    }
}
