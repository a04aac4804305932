package dev.spillway.backend.engine.openai;

import java.time.Clock;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamCompletion;
import dev.spillway.core.upstream.UpstreamException;

/**
 * Runs jobs on an OpenAI-compatible server through the {@link OpenAiCompatibleClient} the intake's direct lane also
 * uses: overload, timeouts, 5xx and broken bodies are retryable (carrying {@code Retry-After}); rejections are
 * permanent. Retrying is the queue's job (redelivery with back-off), so one call is one attempt.
 */
public final class OpenAiHttpEngine implements InferenceEngine {

    private final OpenAiEngineSettings settings;
    private final OpenAiCompatibleClient client;

    public OpenAiHttpEngine(OpenAiEngineSettings settings) {
        this.settings = settings;
        this.client = new OpenAiCompatibleClient(settings.baseUrl(), settings.apiKey(), settings.upstreamModel(),
                settings.connectTimeout(), Clock.systemUTC());
    }

    @Override
    public Generation generate(ChatCompletionRequest request) throws UpstreamException {
        UpstreamCompletion completion = client.complete(request, settings.requestTimeout());
        return new Generation(completion.content(), completion.finishReason(), completion.promptTokens(),
                completion.completionTokens());
    }
}
