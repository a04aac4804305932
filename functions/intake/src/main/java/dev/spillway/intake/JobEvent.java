package dev.spillway.intake;

import dev.spillway.core.job.Job;
import dev.spillway.core.stream.EventId;

/** What {@link JobEventRelay} tells a client following a job, before it is framed as a server-sent event. */
public sealed interface JobEvent {

    /** One chunk of the answer, as the engine wrote it. */
    record Chunk(EventId id, String json) implements JobEvent {
    }

    /** The answer is complete (and stored). */
    record Done(EventId id) implements JobEvent {
    }

    /** The stream ends without the whole answer: an error in OpenAI's shape, naming the job when it goes on. */
    record Failed(EventId id, String errorJson) implements JobEvent {
    }

    /** The job ended without a live stream to follow (or its stream is gone): tell it from the store. */
    record Stored(Job job) implements JobEvent {
    }

    /** The wait budget ended before the first chunk; the job goes on. */
    record Pending(String jobId) implements JobEvent {
    }

    /**
     * Nothing to tell yet: a comment keeps proxies from closing the idle connection.
     *
     * @param started whether the answer has begun (the job is running), else it is still queued
     */
    record KeepAlive(boolean started) implements JobEvent {
    }
}
