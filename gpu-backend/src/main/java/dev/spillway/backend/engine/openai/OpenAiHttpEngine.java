package dev.spillway.backend.engine.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.backend.engine.ChunkSink;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChunkAssembler;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamCompletion;
import dev.spillway.core.upstream.ServerSentEvents;
import dev.spillway.core.upstream.UpstreamException;
import dev.spillway.core.upstream.UpstreamStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Runs jobs on an OpenAI-compatible server through the {@link OpenAiCompatibleClient} the intake's direct lane also
 * uses: overload, timeouts, 5xx and broken bodies are retryable (carrying {@code Retry-After}); rejections are
 * permanent. Retrying is the queue's job (redelivery with back-off), so one call is one attempt. The job's request
 * is sent as its client wrote it (tools, response formats, unknown fields...) and the server's answer is kept whole.
 */
public final class OpenAiHttpEngine implements InferenceEngine {

    /** The batcher's in-flight limit and the worker's job slots bound the calls; the pool must never be what does. */
    private static final int MAX_CONNECTIONS = 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenAiEngineSettings settings;
    private final OpenAiCompatibleClient client;

    /** @param vertx runs the HTTP client's connections */
    public OpenAiHttpEngine(OpenAiEngineSettings settings, Vertx vertx) {
        this.settings = settings;
        this.client = new OpenAiCompatibleClient(vertx, settings.baseUrl(), settings.apiKey(), settings.upstreamModel(),
                settings.connectTimeout(), MAX_CONNECTIONS, Clock.systemUTC());
    }

    @Override
    public Generation generate(ChatCompletionRequest request) throws UpstreamException {
        UpstreamCompletion completion = client.complete(request, settings.requestTimeout());
        return new Generation(completion.content(), completion.finishReason(), completion.promptTokens(),
                completion.completionTokens(), completion.json());
    }

    /**
     * Asks the server to stream ({@code stream: true}, with the usage chunk whatever the client asked, since the
     * stored answer needs it) and tells each chunk to {@code chunks} as it arrives, byte for byte; the chunks put back
     * together are the stored answer. A stream that breaks off or ends without {@code [DONE]} is a retryable failure.
     */
    @Override
    public Generation generate(ChatCompletionRequest request, ChunkSink chunks) throws UpstreamException {
        ObjectNode body = request.body().deepCopy();
        body.put("stream", true);
        ObjectNode options = body.path("stream_options").isObject() ? (ObjectNode) body.get("stream_options")
                : body.putObject("stream_options");
        options.put("include_usage", true);
        UpstreamStream stream = opened(request.kind(), body);
        ServerSentEvents events = new ServerSentEvents();
        ChunkAssembler assembler = new ChunkAssembler();
        boolean done = false;
        try {
            for (Buffer bytes : stream.body().subscribe().asIterable()) {
                for (String data : events.feed(bytes.getBytes())) {
                    if (data.strip().equals("[DONE]")) {
                        done = true;
                        continue;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    if (chunk == null || !chunk.isObject()) {
                        continue;
                    }
                    if (chunk.has("error")) {
                        throw UpstreamException.retryable("upstream_stream_error", "the engine's stream ended with "
                                + "an error: " + chunk.get("error"), null, null);
                    }
                    assembler.add((ObjectNode) chunk);
                    chunks.chunk(data);
                }
            }
        } catch (IOException e) {
            throw UpstreamException.retryable("upstream_bad_response", "the engine streamed a chunk that is not "
                    + "JSON: " + e.getMessage(), null, e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof UpstreamException failure) {
                throw failure;
            }
            throw UpstreamException.retryable("upstream_unavailable", "the engine's stream failed: " + e, null, e);
        }
        if (!done) {
            throw UpstreamException.retryable("upstream_stream_incomplete",
                    "the engine ended its stream without [DONE]", null, null);
        }
        ChatCompletion completion = assembler.completion().orElseThrow(
                () -> UpstreamException.retryable("upstream_stream_incomplete",
                        "the engine ended its stream before the answer was complete", null, null));
        ObjectNode answer = completion.json();
        answer.put("model", request.model());
        return new Generation(completion.choices().isEmpty() ? null : completion.choices().get(0).message().content(),
                completion.choices().isEmpty() ? null : completion.choices().get(0).finishReason(),
                completion.usage() == null ? 0 : completion.usage().promptTokens(),
                completion.usage() == null ? 0 : completion.usage().completionTokens(), answer.toString().getBytes(
                        StandardCharsets.UTF_8));
    }

    private UpstreamStream opened(RequestKind kind, ObjectNode body) throws UpstreamException {
        try {
            return client.openStream(kind, body.toString().getBytes(StandardCharsets.UTF_8),
                    settings.requestTimeout()).toCompletableFuture()
                    .get(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw UpstreamException.retryable("upstream_interrupted", "the engine call was interrupted", null, e);
        } catch (TimeoutException e) {
            throw UpstreamException.retryable("upstream_timeout", "the engine did not answer within "
                    + settings.requestTimeout(), null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpstreamException failure) {
                throw failure;
            }
            throw UpstreamException.retryable("upstream_unavailable", "the engine call failed: " + e.getCause(),
                    null, e.getCause());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
