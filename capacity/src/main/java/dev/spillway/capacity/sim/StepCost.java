package dev.spillway.capacity.sim;

import java.util.List;
import java.util.Random;

import dev.spillway.capacity.workload.Request;

/**
 * An {@link EngineModel} made concrete for one workload and batch size: a job needs {@link #work} steps, and a step
 * with {@code n} jobs sharing it takes {@link #stepSeconds}. Every running job advances one step per step, so a task
 * is a processor shared by its jobs at a speed that depends on how many there are.
 */
final class StepCost {

    private final EngineModel engine;
    private final double firstStepSeconds;
    /** Extra step time per additional sequence, as a share of a one-sequence step. */
    private final double perSequence;
    private final double fullBatchJobSeconds;
    private final Random draws;
    private int replayed;

    private StepCost(final EngineModel engine, final double firstStepSeconds, final double perSequence,
                     final double fullBatchJobSeconds, final Random draws) {
        this.engine = engine;
        this.firstStepSeconds = firstStepSeconds;
        this.perSequence = perSequence;
        this.fullBatchJobSeconds = fullBatchJobSeconds;
        this.draws = draws;
    }

    /**
     * @param batchSize the worker's concurrency
     * @param meanWork  mean {@link #calibrationWork} of the workload's requests
     * @param draws     where sampled job times come from
     */
    static StepCost of(final EngineModel engine, final int batchSize, final double meanWork, final Random draws) {
        if (engine instanceof EngineModel.Fixed fixed) {
            return new StepCost(engine, fixed.jobSeconds(), 0, fixed.jobSeconds(), draws);
        }
        if (engine instanceof EngineModel.Sampled sampled) {
            // a step is a second, and a job needs as many as its drawn time
            return new StepCost(engine, 1, 0, mean(sampled.jobSeconds()), draws);
        }
        if (engine instanceof EngineModel.Replayed listed) {
            return new StepCost(engine, 1, 0, mean(listed.jobSeconds()), draws);
        }
        EngineModel.Batched batched = (EngineModel.Batched) engine;
        // A full batch is batchingGain times faster than one job at a time: c / (1 + (c - 1) k) = gain.
        double perSequence = batchSize == 1 ? 0 : (batchSize / batched.batchingGain() - 1) / (batchSize - 1);
        // ...and finishes jobsPerSecond average jobs: c / (fullStep x meanWork) = jobsPerSecond.
        double fullStep = batchSize / (batched.jobsPerSecond() * meanWork);
        double firstStep = fullStep / (1 + (batchSize - 1) * perSequence);
        return new StepCost(engine, firstStep, perSequence, fullStep * meanWork, draws);
    }

    /** Steps a request needs on a batched engine: one per output token, and its prompt's prefill. */
    static double calibrationWork(final EngineModel engine, final Request request) {
        if (engine instanceof EngineModel.Batched batched) {
            return Math.max(1, request.outputTokens() + request.promptTokens() / batched.prefillTokensPerStep());
        }
        return 1;
    }

    /** Steps {@code request} needs: a fixed-time job is one step, a sampled one a draw, a replayed one its own. */
    double work(final Request request) {
        if (engine instanceof EngineModel.Sampled sampled) {
            List<Double> times = sampled.jobSeconds();
            return times.get(draws.nextInt(times.size()));
        }
        if (engine instanceof EngineModel.Replayed listed) {
            List<Double> times = listed.jobSeconds();
            return times.get(replayed++ % times.size());
        }
        return calibrationWork(engine, request);
    }

    private static double mean(final List<Double> seconds) {
        return seconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    double stepSeconds(final int sequences) {
        return firstStepSeconds * (1 + (sequences - 1) * perSequence);
    }

    /** How long an average job takes in a full batch. */
    double fullBatchJobSeconds() {
        return fullBatchJobSeconds;
    }
}
