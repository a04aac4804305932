package dev.spillway.intake.direct;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ApiError;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChunkAssembler;
import dev.spillway.core.upstream.UpstreamException;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * Relays an upstream's server-sent events to the client as they arrive, event by event: chunks keep every field, and
 * only {@code model} is renamed to the name the client asked for (the rest of the event is passed on byte for byte
 * when it already is); comments such as DeepSeek's {@code : keep-alive} pass through. A stream that fails or ends
 * without {@code data: [DONE]} ends with an error event in OpenAI's shape, never looking complete. A stream that
 * ended properly and carried its usage is handed, put back together, to {@code onAssembled} (the cache).
 */
final class StreamRelay {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String clientModel;
    private final Consumer<ChatCompletion> onAssembled;
    private final ChunkAssembler assembler = new ChunkAssembler();
    private Buffer pending = Buffer.buffer();
    private boolean done;
    private boolean failed;

    private StreamRelay(String clientModel, Consumer<ChatCompletion> onAssembled) {
        this.clientModel = clientModel;
        this.onAssembled = onAssembled;
    }

    /** @param onAssembled receives the whole answer of a stream that completed; null to keep nothing */
    static Multi<Buffer> relay(Multi<Buffer> upstream, String clientModel, Consumer<ChatCompletion> onAssembled) {
        return Multi.createFrom().deferred(() -> {
            StreamRelay relay = new StreamRelay(clientModel, onAssembled);
            return upstream.onItem().transformToIterable(relay::feed)
                    .onCompletion().switchTo(() -> Multi.createFrom().iterable(relay.finish()))
                    .onFailure().recoverWithMulti(failure -> Multi.createFrom().item(relay.failure(failure)));
        });
    }

    /** The complete events in what arrived so far. */
    private List<Buffer> feed(Buffer bytes) {
        Buffer joined = Buffer.buffer(pending.length() + bytes.length()).appendBuffer(pending);
        for (int i = 0; i < bytes.length(); i++) {
            byte b = bytes.getByte(i);
            if (b != '\r') { // lines may end with CRLF; an event ends at an empty line either way
                joined.appendByte(b);
            }
        }
        List<Buffer> events = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < joined.length(); i++) {
            if (joined.getByte(i) == '\n' && joined.getByte(i + 1) == '\n') {
                Buffer event = relayed(joined.getString(start, i, StandardCharsets.UTF_8.name()));
                if (event != null) {
                    events.add(event);
                }
                start = i + 2;
                i++;
            }
        }
        pending = joined.getBuffer(start, joined.length());
        return events;
    }

    private Buffer relayed(String event) {
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        for (String line : event.split("\n", -1)) {
            if (line.startsWith("data:")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
                hasData = true;
            }
        }
        if (!hasData) {
            return event.isBlank() ? null : Buffer.buffer(event + "\n\n"); // comments keep proxies from timing out
        }
        String payload = data.toString();
        if (payload.strip().equals("[DONE]")) {
            done = true;
            return Buffer.buffer("data: [DONE]\n\n");
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(payload);
        } catch (IOException e) {
            return Buffer.buffer(event + "\n\n");
        }
        if (chunk == null || !chunk.isObject()) {
            return Buffer.buffer(event + "\n\n");
        }
        if (chunk.has("error")) {
            failed = true;
            return Buffer.buffer(event + "\n\n");
        }
        ObjectNode object = (ObjectNode) chunk;
        assembler.add(object);
        if (object.path("model").isTextual() && !clientModel.equals(object.get("model").textValue())) {
            object.put("model", clientModel);
            return Buffer.buffer("data: " + object + "\n\n");
        }
        return Buffer.buffer(event + "\n\n");
    }

    /** What follows the upstream's last byte: nothing after {@code [DONE]}, else an error event. */
    private List<Buffer> finish() {
        if (done) {
            if (onAssembled != null) {
                assembler.completion().filter(completion -> completion.usage() != null).ifPresent(onAssembled);
            }
            return List.of();
        }
        if (failed) {
            return List.of();
        }
        return List.of(errorEvent(new ApiException(502, ApiException.SERVER_ERROR, "upstream_stream_incomplete", null,
                "The upstream ended the stream before it was complete.", null)));
    }

    private Buffer failure(Throwable failure) {
        if (failure instanceof UpstreamException e) {
            return errorEvent(new ApiException(502, ApiException.SERVER_ERROR, e.code(), null,
                    "The upstream failed mid-stream: " + e.getMessage(), null));
        }
        return errorEvent(new ApiException(500, ApiException.SERVER_ERROR, "internal_error", null,
                "The stream failed: " + failure, null));
    }

    private static Buffer errorEvent(ApiException e) {
        try {
            ApiError body = e.toBody();
            return Buffer.buffer("data: " + JSON.writeValueAsString(body) + "\n\n");
        } catch (IOException io) {
            throw new IllegalStateException(io);
        }
    }
}
