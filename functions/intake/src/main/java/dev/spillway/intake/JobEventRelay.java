package dev.spillway.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.config.StreamsConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.JobView;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.stream.EventId;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.core.stream.StreamEntry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;

/**
 * Relays a spilled job's live stream to a client as its worker writes it, for any endpoint whose engine streams
 * chunks: given a job and the last event the client holds, it yields the chunks that follow, then the end. Holds no
 * thread per client: the entries come from the process's one stream reader ({@link JobStreams#follow}), keep-alives
 * and the budget from Vert.x timers, and the rare reads of the job store run on the worker pool.
 *
 * <p>What a client sees: the chunks of the attempt it started on; when that attempt stops mid-answer (its worker
 * died or failed retryably) and the client already holds some of it, an error event {@code job_retried} naming the job,
 * since a re-run is a new sample whose text need not continue the old one; a client that held nothing yet simply gets
 * the next attempt. Before the first chunk the wait budget applies ({@link JobEvent.Pending} when it ends); after it
 * the stream runs until the answer ends.
 */
@ApplicationScoped
public class JobEventRelay {

    private static final String START = "0-0";
    private static final Duration FIRST_LOOK_AT_A_FINAL_JOB = Duration.ofSeconds(1);

    private final JobStreams streams;
    private final JobStore store;
    private final CompletionNotices notices;
    private final StreamsConfig config;
    private final Clock clock;
    private final Vertx vertx;

    public JobEventRelay(JobStreams streams, JobStore store, CompletionNotices notices, StreamsConfig config,
            Clock clock, Vertx vertx) {
        this.streams = streams;
        this.notices = notices;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.vertx = vertx;
    }

    /**
     * The events of {@code job}'s stream after {@code after} (empty: from the start of the attempt now running).
     *
     * @param budget how long to wait for the first chunk before ending with {@link JobEvent.Pending}
     */
    public Multi<JobEvent> follow(Job job, Optional<EventId> after, Duration budget) {
        return Multi.createFrom().emitter(emitter -> new Following(job, after, budget, emitter).start());
    }

    /** One client's relay. Its state changes under its own lock, which also orders what it emits. */
    private final class Following {

        private final Job job;
        private final Optional<EventId> after;
        private final Instant deadline;
        private final MultiEmitter<? super JobEvent> emitter;
        private JobStreams.Follow follow;
        private CompletionNotices.Watch watch;
        private int attempt;
        private boolean sentChunks;
        private boolean heardSinceLastTick;
        private boolean ended;
        private boolean looking;
        /** The budget ended before the first chunk: the look under way ends the stream unless the job is final. */
        private boolean pendingAfterLook;
        private long keepAliveTimer = -1;
        private long deadlineTimer = -1;

        Following(Job job, Optional<EventId> after, Duration budget, MultiEmitter<? super JobEvent> emitter) {
            this.job = job;
            this.after = after;
            this.deadline = clock.instant().plus(budget);
            this.emitter = emitter;
            this.attempt = after.map(EventId::attempt).orElse(0);
            // the client holds chunks already when it resumes
            this.sentChunks = after.isPresent();
        }

        void start() {
            emitter.onTermination(this::end);
            synchronized (this) {
                keepAliveTimer = vertx.setPeriodic(Math.max(1, config.keepAlive().toMillis()), id -> tick());
                deadlineTimer = vertx.setTimer(Math.max(1, Duration.between(clock.instant(), deadline).toMillis()),
                        id -> onDeadline());
                if (job.status().isFinal()) {
                    // its stream is read at once; if it has none (expired, never streamed) the store tells
                    vertx.setTimer(FIRST_LOOK_AT_A_FINAL_JOB.toMillis(), id -> lookAtTheJob(false));
                }
            }
            follow = streams.follow(job.id(), after.map(EventId::entryId).orElse(START), this::onEntries);
            // The completion notice is the fallback's trigger: a job final without an end entry in its stream (its
            // worker could not write it, or predates streams) is told from the store a moment later.
            vertx.executeBlocking(() -> notices.watch(job.id()), false).onSuccess(this::watching);
            synchronized (this) {
                if (ended) {
                    follow.close();
                }
            }
        }

        private void watching(CompletionNotices.Watch opened) {
            synchronized (this) {
                if (ended) {
                    opened.close();
                    return;
                }
                watch = opened;
            }
            opened.notified().thenAccept(announced -> vertx.setTimer(FIRST_LOOK_AT_A_FINAL_JOB.toMillis(),
                    id -> lookAtTheJob(false)));
        }

        private void onEntries(List<StreamEntry> entries) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                heardSinceLastTick = true;
                for (StreamEntry entry : sentChunks ? entries : currentAttemptOf(entries)) {
                    if (entry.attempt() < attempt) {
                        continue; // an earlier attempt's leftovers
                    }
                    if (entry.attempt() > attempt) {
                        if (sentChunks) {
                            finish(new JobEvent.Failed(EventId.of(entry), retried()));
                            return;
                        }
                        attempt = entry.attempt();
                    }
                    switch (entry.kind()) {
                        case CHUNK -> {
                            sentChunks = true;
                            emitter.emit(new JobEvent.Chunk(EventId.of(entry), entry.data()));
                        }
                        case DONE -> {
                            finish(new JobEvent.Done(EventId.of(entry)));
                            return;
                        }
                        case ERROR -> {
                            finish(new JobEvent.Failed(EventId.of(entry), entry.data()));
                            return;
                        }
                        case RETRY -> {
                            if (sentChunks) {
                                finish(new JobEvent.Failed(EventId.of(entry), retried()));
                                return;
                            }
                        }
                    }
                }
            }
        }

        /**
         * For a client that holds nothing yet: only the attempt that may still finish, not one already abandoned
         * (it ended with {@code retry}) or overtaken by a later one.
         */
        private List<StreamEntry> currentAttemptOf(List<StreamEntry> entries) {
            Set<Integer> abandoned = new HashSet<>();
            int latest = attempt;
            for (StreamEntry entry : entries) {
                latest = Math.max(latest, entry.attempt());
                if (entry.kind() == StreamEntry.Kind.RETRY) {
                    abandoned.add(entry.attempt());
                }
            }
            List<StreamEntry> current = new ArrayList<>();
            for (StreamEntry entry : entries) {
                if (entry.attempt() == latest && !abandoned.contains(entry.attempt())) {
                    current.add(entry);
                }
            }
            return current;
        }

        private void tick() {
            boolean look;
            synchronized (this) {
                if (ended) {
                    return;
                }
                emitter.emit(new JobEvent.KeepAlive(sentChunks));
                // Quiet for a whole interval: the stream may be lost (Redis failed the worker), so ask the store.
                look = !heardSinceLastTick;
                heardSinceLastTick = false;
            }
            if (look) {
                lookAtTheJob(false);
            }
        }

        private void onDeadline() {
            synchronized (this) {
                deadlineTimer = -1;
                if (ended || sentChunks) {
                    return; // once the answer flows, the stream runs to its end
                }
            }
            lookAtTheJob(true);
        }

        /** A read of the store, for a job whose stream says nothing: final without an end entry, or budget spent. */
        private void lookAtTheJob(boolean budgetSpent) {
            synchronized (this) {
                pendingAfterLook |= budgetSpent;
                if (ended || looking) {
                    return;
                }
                looking = true;
            }
            vertx.executeBlocking(() -> store.find(job.id()), false).onComplete(this::onLook);
        }

        private void onLook(AsyncResult<Optional<Job>> read) {
            synchronized (this) {
                looking = false;
                if (ended) {
                    return;
                }
                Optional<Job> current = read.succeeded() ? read.result() : Optional.of(job);
                if (current.isPresent() && current.get().status().isFinal()) {
                    // Final, yet no end entry reached us: the worker could not write its stream, or it expired.
                    if (!sentChunks) {
                        finish(new JobEvent.Stored(current.get()));
                    } else {
                        finish(new JobEvent.Failed(null, interrupted()));
                    }
                } else if (pendingAfterLook && !sentChunks) {
                    finish(new JobEvent.Pending(job.id()));
                }
            }
        }

        private String retried() {
            return error("job_retried", "The worker streaming this answer stopped before it was complete, and job "
                    + job.id() + " runs again from the start. Poll GET " + JobView.path(job.id())
                    + " for the whole answer, or stream the new attempt from its start with GET "
                    + JobView.path(job.id()) + "/events.");
        }

        private String interrupted() {
            return error("stream_interrupted", "The live stream of job " + job.id() + " broke off before its end. "
                    + "Poll GET " + JobView.path(job.id()) + " for the whole answer.");
        }

        private static String error(String code, String message) {
            ObjectNode error = JsonNodeFactory.instance.objectNode();
            error.putObject("error").put("message", message).put("type", "server_error").putNull("param")
                    .put("code", code);
            return error.toString();
        }

        /** Emits the last event and ends (under the lock). */
        private void finish(JobEvent last) {
            emitter.emit(last);
            emitter.complete();
            end();
        }

        private void end() {
            JobStreams.Follow current;
            CompletionNotices.Watch watched;
            synchronized (this) {
                ended = true;
                if (keepAliveTimer != -1) {
                    vertx.cancelTimer(keepAliveTimer);
                    keepAliveTimer = -1;
                }
                if (deadlineTimer != -1) {
                    vertx.cancelTimer(deadlineTimer);
                    deadlineTimer = -1;
                }
                current = follow;
                watched = watch;
            }
            if (current != null) {
                current.close();
            }
            if (watched != null) {
                watched.close();
            }
        }
    }
}
