package dev.spillway.core.batch;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import dev.spillway.core.job.JobStatus;

/**
 * How far a batch's jobs have got, as counted from the jobs themselves.
 *
 * @param counted jobs by status; jobs not yet visible in the index are missing (they count as queued)
 * @param lastFinished when the most recent job reached a final state; null if none has
 */
public record BatchProgress(Map<JobStatus, Integer> counted, Instant lastFinished) {

    public BatchProgress {
        EnumMap<JobStatus, Integer> copy = new EnumMap<>(JobStatus.class);
        copy.putAll(counted);
        counted = copy;
    }

    public int count(JobStatus status) {
        return counted.getOrDefault(status, 0);
    }

    /** Jobs still to run: queued or running, including those the index does not show yet. */
    public int unfinished(int total) {
        int finished = 0;
        for (Map.Entry<JobStatus, Integer> entry : counted.entrySet()) {
            if (entry.getKey().isFinal()) {
                finished += entry.getValue();
            }
        }
        return Math.max(0, total - finished);
    }
}
