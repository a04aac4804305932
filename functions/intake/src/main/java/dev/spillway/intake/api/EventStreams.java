package dev.spillway.intake.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.CompletionChunks;
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

    static Buffer data(String json) {
        return Buffer.buffer("data: " + json + "\n\n", StandardCharsets.UTF_8.name());
    }
}
