package dev.spillway.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The Batch API: where batches are recorded and how large one may be. */
@ConfigMapping(prefix = "spillway.batches")
public interface BatchesConfig {

    /** DynamoDB table of batch records (their jobs live in the jobs table). */
    @WithDefault("spillway-batches")
    String table();

    /** Most requests one batch may hold (OpenAI's limit is 50,000). */
    @WithDefault("50000")
    int maxRequests();

    /** Largest {@code POST /v1/batches} body; a Lambda invocation carries at most 6 MB. */
    @WithDefault("5242880")
    int maxBodyBytes();
}
