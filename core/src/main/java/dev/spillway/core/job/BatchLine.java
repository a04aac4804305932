package dev.spillway.core.job;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where a job came from in a batch: the batch, the client's {@code custom_id} for the request, and the request's
 * position (0-based) in the batch, which orders the output file.
 */
@RegisterForReflection
public record BatchLine(String batchId, String customId, int index) {
}
