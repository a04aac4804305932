package dev.spillway.core.stream;

import java.util.List;
import java.util.function.Consumer;

/**
 * Live streams of jobs' answers: a worker writes the engine's chunks as they are generated, and intakes follow them
 * for the clients waiting on the job. A stream is a latency aid with a limited life; the job store holds the answer.
 */
public interface JobStreams {

    /** Starts writing attempt {@code attempt} of a job. */
    JobStreamWriter writer(String jobId, int attempt);

    /**
     * Follows a job's stream from after {@code afterEntryId} ({@code 0-0} for its start): {@code onEntries} receives
     * the entries present and then new ones as they are written, in order, each batch on the reader's thread (do not
     * block it). Holds no thread per follower.
     */
    Follow follow(String jobId, String afterEntryId, Consumer<List<StreamEntry>> onEntries);

    /** Interest in a stream; close it when the client is gone or the stream ended. */
    interface Follow extends AutoCloseable {
        @Override
        void close();
    }
}
