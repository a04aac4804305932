package dev.spillway.core.notice;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The text of a completion notice: the bare job id, or {@code {"id":...,"job":{...}}} carrying the final job as
 * stored, so a waiter can answer without reading the job back. Bare ids stay valid (dead letters, a too-large
 * job, workers of an older release).
 *
 * @param jobId the finished job
 * @param job the job as stored in its final state, when the notice carried it
 */
record NoticeMessage(String jobId, Optional<Job> job) {

    /** Redis fans a notice out to every intake process: a job larger than this goes as its id alone. */
    static final int MAX_CHARS = 64 * 1024;

    @RegisterForReflection
    record Carried(String id, Job job) {
    }

    static String encode(Job finalJob, ObjectMapper json) {
        try {
            String carried = json.writeValueAsString(new Carried(finalJob.id(), finalJob));
            return carried.length() <= MAX_CHARS ? carried : finalJob.id();
        } catch (JsonProcessingException e) {
            return finalJob.id();
        }
    }

    /** Empty for a message that is not a notice (another publisher on the channel, a corrupted payload). */
    static Optional<NoticeMessage> decode(String message, ObjectMapper json) {
        if (message == null) {
            return Optional.empty();
        }
        if (!message.startsWith("{")) {
            return JobIds.isWellFormed(message) ? Optional.of(new NoticeMessage(message, Optional.empty()))
                    : Optional.empty();
        }
        try {
            Carried carried = json.readValue(message, Carried.class);
            if (carried == null || !JobIds.isWellFormed(carried.id())) {
                return Optional.empty();
            }
            // Only a final job of the same id stands in for a read of the store.
            Optional<Job> job = Optional.ofNullable(carried.job())
                    .filter(j -> carried.id().equals(j.id()) && j.status() != null && j.status().isFinal());
            return Optional.of(new NoticeMessage(carried.id(), job));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
