package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where jobs live and how long they are kept. */
@ConfigMapping(prefix = "spillway.jobs")
public interface JobsConfig {

    /** DynamoDB table holding the jobs. */
    @WithDefault("spillway-jobs")
    String table();

    /** DynamoDB table mapping each tenant's {@code Idempotency-Key} to the job it created. */
    @WithDefault("spillway-idempotency")
    String idempotencyTable();

    /** How long an {@code Idempotency-Key} keeps returning the job it created. */
    @WithDefault("PT24H")
    Duration idempotencyRetention();

    /** How long a finished job stays readable before DynamoDB's TTL removes it. */
    @WithDefault("P7D")
    Duration retention();

    /** How long a job may wait in the queue before it is given up on (EXPIRED). */
    @WithDefault("P1D")
    Duration deadline();
}
