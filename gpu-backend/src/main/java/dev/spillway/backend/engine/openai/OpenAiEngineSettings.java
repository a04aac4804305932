package dev.spillway.backend.engine.openai;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.spillway.core.upstream.OpenAiCompatibleClient;

/**
 * Where and how to reach an OpenAI-compatible chat-completions server (vLLM, SGLang, TGI, llama.cpp server, or an
 * upstream API such as DeepSeek).
 *
 * @param baseUrl        the API root that {@code /chat/completions} is appended to, e.g. {@code http://host:8000/v1}
 * @param apiKey         sent as a Bearer token when present
 * @param upstreamModel  the model name sent upstream; when empty the request's own model name is sent
 * @param connectTimeout how long to wait for the TCP connection
 * @param requestTimeout how long one whole call may take, body included (busy upstreams hold the body open)
 */
public record OpenAiEngineSettings(URI baseUrl, Optional<String> apiKey, Optional<String> upstreamModel,
        Duration connectTimeout, Duration requestTimeout) {

    public OpenAiEngineSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        apiKey = Objects.requireNonNullElse(apiKey, Optional.<String>empty()).filter(k -> !k.isBlank());
        upstreamModel = Objects.requireNonNullElse(upstreamModel, Optional.<String>empty()).filter(m -> !m.isBlank());
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout and requestTimeout must be positive");
        }
    }

    /** {@code {baseUrl}/chat/completions}, whether or not the base URL ends with a slash. */
    public URI chatCompletionsUri() {
        return OpenAiCompatibleClient.chatCompletionsUri(baseUrl);
    }
}
