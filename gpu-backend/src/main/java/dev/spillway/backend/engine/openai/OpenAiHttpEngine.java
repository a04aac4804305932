package dev.spillway.backend.engine.openai;

import java.time.Clock;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamCompletion;
import dev.spillway.core.upstream.UpstreamException;
import io.vertx.core.Vertx;

/**
 * Runs jobs on an OpenAI-compatible server through the {@link OpenAiCompatibleClient} the intake's direct lane also
 * uses: overload, timeouts, 5xx and broken bodies are retryable (carrying {@code Retry-After}); rejections are
 * permanent. Retrying is the queue's job (redelivery with back-off), so one call is one attempt. The job's request
 * is sent as its client wrote it (tools, response formats, unknown fields...) and the server's answer is kept whole.
 */
public final class OpenAiHttpEngine implements InferenceEngine {

    /** The batcher's in-flight limit and the worker's job slots bound the calls; the pool must never be what does. */
    private static final int MAX_CONNECTIONS = 1024;

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

    @Override
    public void close() {
        client.close();
    }
}
