package dev.spillway.core.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.RequestKind;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

/**
 * Calls an OpenAI-compatible {@code POST /chat/completions} (vLLM, SGLang, TGI, DeepSeek's API) over a
 * pool of kept-alive connections, without blocking a thread (Vert.x's HTTP client), and maps its answer or failure:
 * overload, rate limits, timeouts, 5xx and broken bodies are retryable (carrying {@code Retry-After}); rejections are
 * permanent. Shared by the worker's engine, which sends the body a job's request carries, and the intake's direct lane,
 * which forwards the client's own bytes; both keep the answer as the upstream wrote it but for {@code model}, which
 * names the model the client asked for. Safe for concurrent use.
 */
public final class OpenAiCompatibleClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OpenAiCompatibleClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_MESSAGE = 500;
    /** Below uvicorn's default of 5 s (vLLM, SGLang): a connection the server is about to close is not reused. */
    private static final int KEEP_ALIVE_SECONDS = 4;

    private final Vertx vertx;
    private final HttpClient http;
    private final URI endpoint;
    private final URI baseUrl;
    private final String path;
    private final String authorization;
    private final Optional<String> upstreamModel;
    private final Clock clock;

    /**
     * @param baseUrl        the API root {@code /chat/completions} is appended to, e.g. {@code http://host:8000/v1}
     * @param apiKey         sent as a Bearer token when present
     * @param upstreamModel  the model name sent upstream; when empty the request's own model name is sent
     * @param maxConnections connections kept to the upstream; calls beyond them wait for one to be free
     * @param clock          measures {@code Retry-After} dates
     */
    public OpenAiCompatibleClient(Vertx vertx, URI baseUrl, Optional<String> apiKey, Optional<String> upstreamModel,
            Duration connectTimeout, int maxConnections, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.endpoint = chatCompletionsUri(baseUrl);
        this.path = pathOf(endpoint);
        this.authorization = Objects.requireNonNullElse(apiKey, Optional.<String> empty()).filter(k -> !k.isBlank())
                .map(key -> "Bearer " + key).orElse(null);
        this.upstreamModel = Objects.requireNonNullElse(upstreamModel, Optional.<String> empty())
                .filter(m -> !m.isBlank());
        this.clock = clock;
        boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
        HttpClientOptions options = new HttpClientOptions()
                // inference servers speak h1; an h2c upgrade would only add a round trip
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setDefaultHost(endpoint.getHost())
                .setDefaultPort(endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 80)
                .setSsl(tls)
                .setForceSni(tls)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setTcpNoDelay(true);
        this.http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
    }

    /** {@code {baseUrl}/chat/completions}, whether or not the base URL ends with a slash. */
    public static URI chatCompletionsUri(URI baseUrl) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
    }

    /** {@code {baseUrl}/{kind's path}}, e.g. {@code /v1/completions} under {@code http://host:8000/v1}. */
    public static URI endpointUri(URI baseUrl, RequestKind kind) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/") + kind.upstreamPath());
    }

    public URI endpoint() {
        return endpoint;
    }

    private String pathFor(RequestKind kind) {
        return kind == RequestKind.CHAT ? path : pathOf(endpointUri(baseUrl, kind));
    }

    private static String pathOf(URI uri) {
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /**
     * One completion for a request Spillway holds as a {@link ChatCompletionRequest} (a job's), blocking the calling
     * thread, which must not be an event loop. Interrupting it abandons the call.
     *
     * @param timeout bounds the whole call, body included: busy upstreams hold the body open
     */
    public UpstreamCompletion complete(ChatCompletionRequest request, Duration timeout) throws UpstreamException {
        Exchange<UpstreamCompletion> call = new Exchange<>(pathFor(request.kind()), timeout,
                answer -> completionOf(CompletionJson.answerFor(answer, request.model(), request.kind())));
        call.start(body(request));
        try {
            // The exchange's own timer ends it; the margin only guards against that timer never firing.
            return call.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw timeout(timeout, e);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw UpstreamException.retryable("upstream_interrupted", "the upstream call was interrupted", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpstreamException failure) {
                throw failure;
            }
            throw new IllegalStateException("unexpected failure of an upstream call", e.getCause());
        }
    }

    /**
     * Forwards a client's chat-completions body as it came, with only the model name replaced when this upstream
     * has its own ({@code upstream-model}), and answers with the upstream's completion as the client receives it:
     * the same bytes with the client's model name in {@code model}. Never blocks.
     *
     * @param clientBody  a body that passed Spillway's checks (non-streaming, every field understood)
     * @param clientModel the model name the client asked for
     * @param timeout     bounds the whole call, body included
     * @return the answer's bytes, or a failure with an {@link UpstreamException}
     */
    public CompletionStage<byte[]> forward(byte[] clientBody, String clientModel, Duration timeout) {
        return forward(RequestKind.CHAT, clientBody, clientModel, timeout);
    }

    /** Like {@link #forward(byte[], String, Duration)}, to the endpoint of {@code kind}. */
    public CompletionStage<byte[]> forward(RequestKind kind, byte[] clientBody, String clientModel, Duration timeout) {
        byte[] body = upstreamModel.map(model -> CompletionJson.withModel(clientBody, model)).orElse(clientBody);
        Exchange<byte[]> call = new Exchange<>(pathFor(kind), timeout,
                answer -> CompletionJson.answerFor(answer, clientModel, kind));
        call.start(Buffer.buffer(body));
        return call;
    }

    /**
     * Forwards a client's body that asks to stream ({@code stream: true}), model name mapped as in {@link #forward},
     * and completes once the upstream answers 2xx: its body is then read as it arrives, never whole. A failure before
     * that is mapped as {@link #forward}'s is, so the caller may retry or spill; one after it ends the stream.
     *
     * @param timeout bounds the whole call, the streamed body included
     */
    public CompletionStage<UpstreamStream> openStream(byte[] clientBody, Duration timeout) {
        return openStream(RequestKind.CHAT, clientBody, timeout);
    }

    /** Like {@link #openStream(byte[], Duration)}, to the endpoint of {@code kind}. */
    public CompletionStage<UpstreamStream> openStream(RequestKind kind, byte[] clientBody, Duration timeout) {
        byte[] body = upstreamModel.map(model -> CompletionJson.withModel(clientBody, model)).orElse(clientBody);
        UpstreamStream.Opening opening = new UpstreamStream.Opening(vertx, timeout, this::timeoutFailure);
        http.request(HttpMethod.POST, pathFor(kind)).onComplete(opened -> {
            if (opened.failed()) {
                opening.fail(transportFailure(opened.cause(), false));
                return;
            }
            HttpClientRequest sending = opened.result();
            if (!opening.sending(sending)) {
                return;
            }
            sending.putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream");
            if (authorization != null) {
                sending.putHeader("Authorization", authorization);
            }
            sending.send(Buffer.buffer(body)).onComplete(arrived -> {
                if (arrived.failed()) {
                    opening.fail(transportFailure(arrived.cause(), false));
                    return;
                }
                HttpClientResponse response = arrived.result();
                if (response.statusCode() / 100 == 2) {
                    opening.answered(response, cause -> transportFailure(cause, true));
                    return;
                }
                response.body().onComplete(error -> opening.fail(failure(response.statusCode(),
                        response.getHeader("Retry-After"), error.succeeded() ? error.result().toString() : "")));
            });
        });
        return opening;
    }

    private UpstreamException timeoutFailure(Duration timeout) {
        return timeout(timeout, null);
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * The job's request as its client sent it, every field included, with this upstream's model name when it has
     * one. The answer is read whole, so a request that asked for a stream gets the completion in one piece.
     */
    private Buffer body(ChatCompletionRequest request) {
        ObjectNode body = request.body().deepCopy();
        body.put("model", upstreamModel.orElse(request.model()));
        if (request.stream()) {
            body.put("stream", false);
            body.remove("stream_options");
        }
        return Buffer.buffer(body.toString());
    }

    /** Reads a successful answer's body. */
    @FunctionalInterface
    private interface AnswerReader<T> {
        T read(byte[] body) throws UpstreamException;
    }

    /**
     * One call, ended by whichever comes first: the answer, a failure, the whole-call timer or a cancel. Ending it
     * early resets the request, which closes its connection rather than leaving a half-read answer in the pool.
     */
    private final class Exchange<T> extends CompletableFuture<T> {

        private final String target;
        private final Duration timeout;
        private final AnswerReader<T> reader;
        private volatile long timer = -1;
        private volatile HttpClientRequest request;

        Exchange(String target, Duration timeout, AnswerReader<T> reader) {
            this.target = target;
            this.timeout = timeout;
            this.reader = reader;
        }

        void start(Buffer body) {
            timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> end(timeout(timeout, null)));
            http.request(HttpMethod.POST, target).onComplete(opened -> {
                if (opened.failed()) {
                    end(transportFailure(opened.cause(), false));
                    return;
                }
                HttpClientRequest sending = opened.result();
                request = sending;
                if (isDone()) {
                    sending.reset();
                    return;
                }
                sending.putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
                if (authorization != null) {
                    sending.putHeader("Authorization", authorization);
                }
                sending.send(body).onComplete(this::headersArrived);
            });
        }

        private void headersArrived(AsyncResult<HttpClientResponse> arrived) {
            if (arrived.failed()) {
                end(transportFailure(arrived.cause(), false));
                return;
            }
            HttpClientResponse response = arrived.result();
            response.body().onComplete(body -> {
                if (body.failed()) {
                    end(transportFailure(body.cause(), true));
                    return;
                }
                vertx.cancelTimer(timer);
                try {
                    complete(answer(response.statusCode(), response.getHeader("Retry-After"),
                            body.result().getBytes()));
                } catch (UpstreamException e) {
                    completeExceptionally(e);
                }
            });
        }

        private T answer(int status, String retryAfterHeader, byte[] body) throws UpstreamException {
            if (status / 100 == 2) {
                return reader.read(body);
            }
            throw failure(status, retryAfterHeader, new String(body, StandardCharsets.UTF_8));
        }

        private void end(UpstreamException failure) {
            vertx.cancelTimer(timer);
            if (completeExceptionally(failure)) {
                abandon();
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                vertx.cancelTimer(timer);
                abandon();
            }
            return cancelled;
        }

        private void abandon() {
            HttpClientRequest sent = request;
            if (sent != null) {
                sent.reset();
            }
        }
    }

    private UpstreamException failure(int status, String retryAfterHeader, String body) {
        Duration retryAfter = RetryAfter.parse(retryAfterHeader, clock.instant()).orElse(null);
        String detail = "upstream answered " + status + ": " + errorMessage(body);
        switch (status) {
            case 429:
                return UpstreamException.retryable("upstream_rate_limited", detail, retryAfter, null);
            case 503:
                return UpstreamException.retryable("upstream_overloaded", detail, retryAfter, null);
            case 408, 504:
                return UpstreamException.retryable("upstream_timeout", detail, retryAfter, null);
            case 401, 403:
                // the operator must fix the key; retrying only burns attempts
                return UpstreamException.permanent("upstream_auth_failed", detail);
            default:
                if (status >= 500) {
                    return UpstreamException.retryable("upstream_unavailable", detail, retryAfter, null);
                }
                return UpstreamException.permanent(errorCode(body), detail);
        }
    }

    /**
     * A successful answer: the parts Spillway reads (content, finish reason, usage) and the JSON itself, from its body
     * as the upstream sent it or as {@link #forward} passed it on.
     */
    public static UpstreamCompletion completionOf(byte[] body) throws UpstreamException {
        int start = CompletionJson.jsonStart(body);
        JsonNode root;
        try {
            root = JSON.readTree(body, start, body.length - start);
        } catch (IOException e) {
            throw UpstreamException.retryable("upstream_bad_response",
                    "upstream sent an unparseable completion: " + abbreviate(text(body)), null, e);
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (root != null && root.path("data").isArray() && !root.has("choices")) { // an embedding list
            JsonNode usage = root.path("usage");
            return new UpstreamCompletion("", "stop", usage.path("prompt_tokens").asInt(0), 0,
                    start == 0 ? body : Arrays.copyOfRange(body, start, body.length));
        }
        if (choice == null || !choice.isObject()) {
            throw UpstreamException.retryable("upstream_bad_response",
                    "upstream completion has no choices: " + abbreviate(text(body)), null, null);
        }
        String content = choice.path("message").isObject() ? choice.path("message").path("content").asText("")
                : choice.path("text").asText(""); // a text completion's
        // the contract knows stop and length; other reasons (content_filter, tool_calls) end the answer too
        String finishReason = "length".equals(choice.path("finish_reason").asText()) ? "length" : "stop";
        JsonNode usage = root.path("usage");
        return new UpstreamCompletion(content, finishReason, usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0), start == 0 ? body : Arrays.copyOfRange(body, start, body.length));
    }

    private UpstreamException transportFailure(Throwable cause, boolean headersReceived) {
        if (cause instanceof ConnectException) {
            // Netty's ConnectTimeoutException is one too
            return UpstreamException.retryable("upstream_unavailable",
                    "cannot connect to " + endpoint + ": " + cause, null, cause);
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

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    static String abbreviate(String text) {
        return text.length() <= MAX_ERROR_MESSAGE ? text : text.substring(0, MAX_ERROR_MESSAGE) + "...";
    }
}
