package dev.spillway.intake.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.CompletionChunks;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobView;
import dev.spillway.core.stream.EventId;
import dev.spillway.intake.JobEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/** Server-sent events in OpenAI's framing: {@code data: <json>} events, ended by {@code data: [DONE]}. */
final class EventStreams {

    static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    /** What a stream says while its job waits for a worker, so that proxies keep the connection. */
    static final Buffer QUEUED = Buffer.buffer(": queued\n\n");
    /** What a stream says when its answer pauses (a long tool call, a slow engine). */
    static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventStreams() {
    }

    /** A completion Spillway holds (a cache hit, a finished job), told as chunks. */
    static Multi<Buffer> replay(ChatCompletion completion, boolean includeUsage) {
        List<Buffer> events = new ArrayList<>();
        for (ObjectNode chunk : CompletionChunks.of(completion, includeUsage)) {
            events.add(data(chunk.toString()));
        }
        events.add(DONE);
        return Multi.createFrom().iterable(events);
    }

    /**
     * The only event of a stream whose job was not done within the wait budget: an error in OpenAI's shape (so SDKs
     * raise it rather than end quietly) with code {@code job_pending}, naming the job to poll.
     */
    static Buffer pending(String jobId) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.putObject("error")
                .put("message", "The answer was not ready within the wait budget; job " + jobId
                        + " goes on. Poll GET " + JobView.path(jobId) + " for it.")
                .put("type", "job_pending")
                .putNull("param")
                .put("code", "job_pending");
        return data(error.toString());
    }

    /**
     * A job's relayed events as server-sent events, each with its {@code id:} for {@code Last-Event-ID}: chunks as the
     * engine wrote them but for {@code model}, which becomes the client's, and without the usage chunk unless the
     * client asked for it.
     *
     * @param stored tells a job that ended without a live stream (a whole answer replayed as chunks)
     */
    static Multi<Buffer> relayed(Multi<JobEvent> events, String clientModel, boolean includeUsage,
            Function<Job, Multi<Buffer>> stored) {
        return events.onItem().transformToMultiAndConcatenate(event -> {
            if (event instanceof JobEvent.Chunk chunk) {
                return chunk(chunk, clientModel, includeUsage);
            } else if (event instanceof JobEvent.Done done) {
                return Multi.createFrom().item(withId(done.id(), "[DONE]"));
            } else if (event instanceof JobEvent.Failed failed) {
                return Multi.createFrom().item(withId(failed.id(), failed.errorJson()));
            } else if (event instanceof JobEvent.Stored job) {
                return stored.apply(job.job());
            } else if (event instanceof JobEvent.Pending pending) {
                return Multi.createFrom().item(pending(pending.jobId()));
            }
            return Multi.createFrom().item(((JobEvent.KeepAlive) event).started() ? KEEP_ALIVE : QUEUED);
        });
    }

    /** A job (of any endpoint) that ended without a live stream: its answer as chunks, or its failure as an error event. */
    static Multi<Buffer> storedAnswer(Job job, boolean includeUsage) {
        if (job.status() == JobStatus.SUCCEEDED) {
            return replay(job.result(), includeUsage);
        }
        ApiException failure = Responses.failureOf(job).orElseGet(() -> new ApiException(500,
                ApiException.SERVER_ERROR, "job_" + job.status().name().toLowerCase(), null,
                "Job " + job.id() + " ended as " + job.status() + ".", null));
        try {
            return Multi.createFrom().item(data(JSON.writeValueAsString(failure.toBody())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Multi<Buffer> chunk(JobEvent.Chunk chunk, String clientModel, boolean includeUsage) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(chunk.json());
        } catch (IOException e) {
            return Multi.createFrom().item(withId(chunk.id(), chunk.json()));
        }
        if (!(parsed instanceof ObjectNode object)) {
            return Multi.createFrom().item(withId(chunk.id(), chunk.json()));
        }
        boolean usageOnly = object.path("choices").isArray() && object.path("choices").isEmpty()
                && object.path("usage").isObject();
        if (usageOnly && !includeUsage) {
            return Multi.createFrom().empty(); // the worker always asks for it: the stored answer needs it
        }
        if (object.path("model").isTextual() && !clientModel.equals(object.get("model").textValue())) {
            object.put("model", clientModel);
            return Multi.createFrom().item(withId(chunk.id(), object.toString()));
        }
        return Multi.createFrom().item(withId(chunk.id(), chunk.json()));
    }

    private static Buffer withId(EventId id, String data) {
        String prefix = id == null ? "" : "id: " + id + "\n";
        return Buffer.buffer(prefix + "data: " + data + "\n\n", StandardCharsets.UTF_8.name());
    }

    static Buffer data(String json) {
        return Buffer.buffer("data: " + json + "\n\n", StandardCharsets.UTF_8.name());
    }
}
