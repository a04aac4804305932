package dev.spillway.intake.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.CompletionChunks;
import dev.spillway.core.job.JobView;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/** Server-sent events in OpenAI's framing: {@code data: <json>} events, ended by {@code data: [DONE]}. */
final class EventStreams {

    static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

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

    static Buffer data(String json) {
        return Buffer.buffer("data: " + json + "\n\n", StandardCharsets.UTF_8.name());
    }
}
