package dev.spillway.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Request merging at the intake: concurrent job writes to DynamoDB and sends to SQS leave together in batch calls
 * (BatchWriteItem, SendMessageBatch), so a burst costs a fraction of the round trips.
 */
@ConfigMapping(prefix = "spillway.intake.merge")
public interface MergeConfig {

    /** Merge concurrent job creations and queue sends; off, every request makes its own calls. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Batch calls in flight at once per downstream (the job table, each tier queue). A write goes at once while
     * fewer are in flight; past that, writes wait and leave together. Lower merges more, higher waits less.
     */
    @WithDefault("4")
    int maxConcurrentCalls();
}
