package dev.spillway.backend.batching;

import java.time.Duration;

/**
 * How one model's batches are formed.
 *
 * @param maxBatchSize     most requests started together
 * @param maxBatchTokens   most estimated tokens (prompt + completion limit) in one batch
 * @param maxWait          longest the first request of a batch waits for mates while the engine could take it
 * @param defaultMaxTokens completion limit assumed for a request that sets none (the engine's own default)
 */
public record BatchPolicy(int maxBatchSize, int maxBatchTokens, Duration maxWait, int defaultMaxTokens) {

    /** Default wait for batch mates of an engine that decodes a batch in lockstep: long enough for a burst to meet. */
    public static final Duration LOCKSTEP_WAIT = Duration.ofMillis(5);

    public BatchPolicy {
        if (maxBatchSize < 1 || maxBatchTokens < 1 || maxWait == null || maxWait.isNegative()
                || defaultMaxTokens < 1) {
            throw new IllegalArgumentException("need maxBatchSize >= 1, maxBatchTokens >= 1, maxWait >= 0 and "
                    + "defaultMaxTokens >= 1: " + maxBatchSize + ", " + maxBatchTokens + ", " + maxWait + ", "
                    + defaultMaxTokens);
        }
    }

    /**
     * The global settings with the model's overrides applied.
     *
     * @param engineWait the wait for batch mates that suits the model's engine, used where none is configured
     */
    public static BatchPolicy forModel(BatchingConfig config, String model, int defaultMaxTokens, Duration engineWait) {
        Duration maxWait = config.maxWait().orElse(engineWait);
        BatchingConfig.ModelOverride override = config.model().get(model);
        if (override == null) {
            return new BatchPolicy(config.maxBatchSize(), config.maxBatchTokens(), maxWait, defaultMaxTokens);
        }
        return new BatchPolicy(override.maxBatchSize().orElse(config.maxBatchSize()),
                override.maxBatchTokens().orElse(config.maxBatchTokens()), override.maxWait().orElse(maxWait),
                defaultMaxTokens);
    }
}
