package dev.spillway.core.batch.files;

/**
 * Fired (a CDI event) as a batch input is read: after each chunk's jobs are stored ({@link Step#STORED}) and once
 * they are queued and checkpointed ({@link Step#CHECKPOINTED}). For logs, metrics, and tests that follow the read.
 *
 * @param line the last line of the chunk (1-based)
 * @param bytesRead bytes taken from the object's stream so far
 * @param objectBytes the object's size
 */
public record BatchFileProgress(String batchId, Step step, long line, int jobs, long bytesRead, long objectBytes) {

    public enum Step {
        STORED, CHECKPOINTED
    }
}
