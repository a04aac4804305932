package dev.spillway.core.batch;

import java.time.Duration;
import java.time.Instant;

import dev.spillway.core.job.JobStatus;

/**
 * A batch and its state at one moment, derived from its record and the states of its jobs: nothing about
 * progress is stored, so it cannot drift from what the workers did.
 *
 * @param completed requests that succeeded
 * @param failed requests that failed (or whose job expired)
 * @param unfinished requests still queued or running, including jobs the index does not show yet
 * @param stoppable whether jobs are still queued or running in a batch that should have none (cancelled,
 *        expired, or whose creation failed)
 * @param finished when the last request reached its final state, once the batch is final
 */
public record BatchSnapshot(Batch batch, BatchStatus status, int completed, int failed, int unfinished,
        boolean stoppable, Instant finished) {

    /**
     * How long creating a batch may take before it is taken for interrupted: longer than any request may run
     * (Lambda's limit is 15 minutes).
     */
    public static final Duration CREATION_GRACE = Duration.ofMinutes(15);

    public static BatchSnapshot of(Batch batch, BatchProgress progress, Instant now) {
        int completed = progress.count(JobStatus.SUCCEEDED);
        int failed = progress.count(JobStatus.FAILED) + progress.count(JobStatus.EXPIRED);
        int unfinished = progress.unfinished(batch.total());
        boolean running = progress.count(JobStatus.QUEUED) + progress.count(JobStatus.RUNNING) > 0;
        BatchStatus status;
        if (batch.accepted() == null) {
            status = now.isAfter(batch.created().plus(CREATION_GRACE)) ? BatchStatus.FAILED : BatchStatus.VALIDATING;
        } else if (batch.cancelRequested() != null) {
            status = unfinished > 0 ? BatchStatus.CANCELLING : BatchStatus.CANCELLED;
        } else if (unfinished > 0) {
            status = now.isBefore(batch.deadline()) ? BatchStatus.IN_PROGRESS : BatchStatus.EXPIRED;
        } else {
            boolean stoppedAtDeadline = progress.count(JobStatus.CANCELLED) + progress.count(JobStatus.EXPIRED) > 0
                    && progress.lastFinished() != null && !progress.lastFinished().isBefore(batch.deadline());
            status = stoppedAtDeadline ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
        }
        boolean stoppable = running && (status == BatchStatus.CANCELLING || status == BatchStatus.EXPIRED
                || status == BatchStatus.FAILED);
        Instant finished = status.isFinal() ? progress.lastFinished() : null;
        return new BatchSnapshot(batch, status, completed, failed, unfinished, stoppable, finished);
    }

    /** The same state, reported with {@code record} (the batch as it stands after a write that left progress alone). */
    public BatchSnapshot withBatch(Batch record) {
        return new BatchSnapshot(record, status, completed, failed, unfinished, stoppable, finished);
    }

    /** The file of successful responses, once the batch is final and has any. */
    public boolean hasOutputFile() {
        return status.isFinal() && status != BatchStatus.FAILED && completed > 0;
    }

    /** The file of requests that did not succeed, once the batch is final and has any. */
    public boolean hasErrorFile() {
        return status.isFinal() && status != BatchStatus.FAILED && completed < batch.total();
    }

    public boolean has(BatchFile.Kind kind) {
        return kind == BatchFile.Kind.OUTPUT ? hasOutputFile() : hasErrorFile();
    }
}
