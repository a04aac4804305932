package dev.spillway.core.upstream;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;

/**
 * Calls an OpenAI-compatible {@code POST /chat/completions} (non-streaming: vLLM, SGLang, TGI, DeepSeek's API) and
 * maps its answer or failure: overload, rate limits, timeouts, 5xx and broken bodies are retryable (carrying
 * {@code Retry-After}); rejections are permanent. Shared by the worker's engine and the intake's direct lane.
 * Safe for concurrent use.
 */
public final class OpenAiCompatibleClient {

    private static final Logger LOG = Logger.getLogger(OpenAiCompatibleClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_MESSAGE = 500;

    private final URI endpoint;
    private final Optional<String> apiKey;
    private final Optional<String> upstreamModel;
    private final HttpClient client;
    private final Clock clock;

    /**
     * @param baseUrl       the API root that {@code /chat/completions} is appended to, e.g. {@code http://host:8000/v1}
     * @param apiKey        sent as a Bearer token when present
     * @param upstreamModel the model name sent upstream; when empty the request's own model name is sent
     * @param clock         measures {@code Retry-After} dates
     */
    public OpenAiCompatibleClient(URI baseUrl, Optional<String> apiKey, Optional<String> upstreamModel,
            Duration connectTimeout, Clock clock) {
        this.endpoint = chatCompletionsUri(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.apiKey = Objects.requireNonNullElse(apiKey, Optional.<String> empty()).filter(k -> !k.isBlank());
        this.upstreamModel = Objects.requireNonNullElse(upstreamModel, Optional.<String> empty())
                .filter(m -> !m.isBlank());
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // inference servers speak h1; h2c upgrade only adds a round trip
                .connectTimeout(connectTimeout)
                .build();
    }

    /** {@code {baseUrl}/chat/completions}, whether or not the base URL ends with a slash. */
    public static URI chatCompletionsUri(URI baseUrl) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
    }

    public URI endpoint() {
        return endpoint;
    }

    /** @param timeout bounds the whole call, body included: busy upstreams hold the body open */
    public UpstreamCompletion complete(ChatCompletionRequest request, Duration timeout) throws UpstreamException {
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(request), StandardCharsets.UTF_8));
        apiKey.ifPresent(key -> http.header("Authorization", "Bearer " + key));

        AtomicBoolean headersReceived = new AtomicBoolean();
        BodyHandler<byte[]> handler = info -> {
            headersReceived.set(true);
            return BodyHandlers.ofByteArray().apply(info);
        };
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(http.build(), handler);
        HttpResponse<byte[]> response;
        try {
            // HttpRequest.timeout stops at the headers; busy upstreams stall inside the body, so bound the whole call.
            response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw timeout(timeout, e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw UpstreamException.retryable("upstream_interrupted", "the upstream call was interrupted", null, e);
        } catch (ExecutionException e) {
            throw transportFailure(e.getCause(), headersReceived.get(), timeout);
        }
        return answer(response);
    }

    private String body(ChatCompletionRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", upstreamModel.orElse(request.model()));
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            ObjectNode m = messages.addObject().put("role", message.role()).put("content", message.content());
            if (message.name() != null) {
                m.put("name", message.name());
            }
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        if (request.stop() != null) {
            request.stop().forEach(body.putArray("stop")::add);
        }
        if (request.user() != null) {
            body.put("user", request.user());
        }
        body.put("stream", false);
        return body.toString();
    }

    private UpstreamCompletion answer(HttpResponse<byte[]> response) throws UpstreamException {
        int status = response.statusCode();
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (status / 100 == 2) {
            return parseCompletion(body);
        }
        Duration retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
                clock.instant()).orElse(null);
        String detail = "upstream answered " + status + ": " + errorMessage(body);
        switch (status) {
            case 429:
                throw UpstreamException.retryable("upstream_rate_limited", detail, retryAfter, null);
            case 503:
                throw UpstreamException.retryable("upstream_overloaded", detail, retryAfter, null);
            case 408, 504:
                throw UpstreamException.retryable("upstream_timeout", detail, retryAfter, null);
            case 401, 403:
                // the operator must fix the key; retrying only burns attempts
                throw UpstreamException.permanent("upstream_auth_failed", detail);
            default:
                if (status >= 500) {
                    throw UpstreamException.retryable("upstream_unavailable", detail, retryAfter, null);
                }
                throw UpstreamException.permanent(errorCode(body), detail);
        }
    }

    private static UpstreamCompletion parseCompletion(String body) throws UpstreamException {
        JsonNode root;
        try {
            root = JSON.readTree(stripKeepAlives(body));
        } catch (JsonProcessingException e) {
            throw UpstreamException.retryable("upstream_bad_response",
                    "upstream sent an unparseable completion: " + abbreviate(body), null, e);
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || !choice.isObject()) {
            throw UpstreamException.retryable("upstream_bad_response",
                    "upstream completion has no choices: " + abbreviate(body), null, null);
        }
        String content = choice.path("message").path("content").asText("");
        // the contract knows stop and length; other reasons (content_filter, tool_calls) end the answer too
        String finishReason = "length".equals(choice.path("finish_reason").asText()) ? "length" : "stop";
        JsonNode usage = root.path("usage");
        return new UpstreamCompletion(content, finishReason, usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0));
    }

    /** DeepSeek keeps busy connections open with blank lines and SSE comments ({@code : keep-alive}) before the JSON. */
    static String stripKeepAlives(String body) {
        int start = 0;
        while (start < body.length()) {
            int end = body.indexOf('\n', start);
            String line = (end < 0 ? body.substring(start) : body.substring(start, end)).strip();
            if (!line.isEmpty() && !line.startsWith(":")) {
                break;
            }
            if (end < 0) {
                return "";
            }
            start = end + 1;
        }
        return body.substring(start);
    }

    private UpstreamException transportFailure(Throwable cause, boolean headersReceived, Duration timeout) {
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            return UpstreamException.retryable("upstream_unavailable",
                    "cannot connect to " + endpoint + ": " + cause, null, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return timeout(timeout, cause);
        }
        if (headersReceived) {
            return UpstreamException.retryable("upstream_bad_response",
                    "upstream response was cut off: " + cause, null, cause);
        }
        LOG.debugf(cause, "call to %s failed", endpoint);
        return UpstreamException.retryable("upstream_unavailable", "call to " + endpoint + " failed: " + cause, null,
                cause);
    }

    private static UpstreamException timeout(Duration timeout, Throwable cause) {
        return UpstreamException.retryable("upstream_timeout", "upstream did not answer within " + timeout, null,
                cause);
    }

    /**
     * The human message of an error body: OpenAI {@code {"error":{"message"}}}, vLLM {@code {"message"}}, TGI
     * {@code {"error":"..."}}, FastAPI {@code {"detail"}}; otherwise the raw body, abbreviated.
     */
    private static String errorMessage(String body) {
        JsonNode root = readQuietly(body);
        if (root != null) {
            for (JsonNode candidate : new JsonNode[] {root.path("error").path("message"), root.path("error"),
                    root.path("message"), root.path("detail")}) {
                if (candidate.isTextual() && !candidate.asText().isBlank()) {
                    return abbreviate(candidate.asText());
                }
            }
        }
        return body.isBlank() ? "(empty body)" : abbreviate(body);
    }

    /** The upstream's own textual error code (e.g. {@code context_length_exceeded}); vLLM's numeric codes are not. */
    private static String errorCode(String body) {
        JsonNode root = readQuietly(body);
        JsonNode code = root == null ? null : root.path("error").path("code");
        if (code != null && code.isTextual() && !code.asText().isBlank()) {
            return code.asText();
        }
        return "upstream_rejected";
    }

    private static JsonNode readQuietly(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            return root != null && root.isObject() ? root : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_ERROR_MESSAGE ? text : text.substring(0, MAX_ERROR_MESSAGE) + "...";
    }
}
