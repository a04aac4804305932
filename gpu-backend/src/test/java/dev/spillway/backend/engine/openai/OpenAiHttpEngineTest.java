package dev.spillway.backend.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.spillway.backend.engine.Generation;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.upstream.UpstreamException;
import io.vertx.core.Vertx;

/** Runs the engine against a real OpenAI-compatible HTTP server on 127.0.0.1 whose behaviour each test scripts. */
class OpenAiHttpEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMPLETION = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"upstream-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Water finds a way."},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}""";

    private static Vertx vertx;
    private HttpServer server;
    private ExecutorService serverThreads;
    private final CountDownLatch releaseHangingHandlers = new CountDownLatch(1);
    private volatile Handler behaviour;
    private volatile String seenAuthorization;
    private volatile JsonNode seenBody;
    private volatile String seenPath;

    @FunctionalInterface
    interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try (exchange) {
                seenPath = exchange.getRequestURI().getPath();
                seenAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
                seenBody = JSON.readTree(exchange.getRequestBody());
                behaviour.handle(exchange);
            } catch (Exception e) {
                // the scripted failure (e.g. a connection cut mid-body) is the point of some tests
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        releaseHangingHandlers.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void generate_whenUpstreamAnswers_mapsContentUsageAndSendsKeyAndUpstreamModel() throws Exception {
        // GIVEN an upstream that answers a completion, and an engine with a key and an upstream model name
        behaviour = exchange -> respond(exchange, 200, COMPLETION);
        OpenAiHttpEngine engine = engine(Optional.of("sk-test"), Optional.of("upstream-model"), Duration.ofSeconds(5));

        // WHEN
        Generation generation = engine.generate(request(0.0, 64, List.of("END")));

        // THEN the answer is mapped
        assertThat(generation).usingRecursiveComparison().ignoringFields("answer")
                .isEqualTo(new Generation("Water finds a way.", "stop", 12, 5));
        // AND the server saw the key, the upstream model name and the request's parameters
        assertThat(seenPath).isEqualTo("/v1/chat/completions");
        assertThat(seenAuthorization).isEqualTo("Bearer sk-test");
        assertThat(seenBody.path("model").asText()).isEqualTo("upstream-model");
        assertThat(seenBody.has("stream")).as("nothing added to what the client sent").isFalse();
        assertThat(seenBody.path("messages").path(0).path("content").asText()).isEqualTo("Where does water go?");
        assertThat(seenBody.path("temperature").asDouble()).isEqualTo(0.0);
        assertThat(seenBody.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(seenBody.path("stop").path(0).asText()).isEqualTo("END");
        assertThat(seenBody.has("top_p")).isFalse();
    }

    @Test
    void generate_aTextCompletionJob_callsTheServersCompletionsPath_andKeepsItsAnswerWhole() throws Exception {
        // GIVEN a server that answers a FIM text completion, and a job that asked for one as a stream
        String answer = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"upstream-model\","
                + "\"choices\":[{\"text\":\"    return a\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":3,\"total_tokens\":7},\"x_vendor\":1}";
        behaviour = exchange -> respond(exchange, 200, answer);
        ObjectNode body = (ObjectNode) JSON.readTree("{\"model\":\"spillway-model\",\"prompt\":\"def f(a):\","
                + "\"suffix\":\"\\n\",\"echo\":false,\"logprobs\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        // WHEN
        Generation generation = engine(Duration.ofSeconds(5)).generate(ChatCompletionRequest.of(RequestKind.COMPLETION,
                body));

        // THEN the server's /v1/completions got every field, read whole, and its answer is kept as it wrote it
        assertThat(seenPath).isEqualTo("/v1/completions");
        assertThat(seenBody.path("suffix").asText()).isEqualTo("\n");
        assertThat(seenBody.path("logprobs").asInt()).isEqualTo(2);
        assertThat(seenBody.path("stream").asBoolean()).isFalse();
        assertThat(generation.content()).isEqualTo("    return a");
        assertThat(generation.completionTokens()).isEqualTo(3);
        assertThat(JSON.readTree(generation.answer()).path("x_vendor").asInt()).isEqualTo(1);
    }

    @Test
    void generate_anEmbeddingsJob_callsTheServersEmbeddingsPath_andKeepsTheList() throws Exception {
        // GIVEN a server that answers an embedding list
        String answer = "{\"object\":\"list\",\"model\":\"upstream-model\",\"data\":[{\"object\":\"embedding\","
                + "\"index\":0,\"embedding\":\"AACAPw==\"}],\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}";
        behaviour = exchange -> respond(exchange, 200, answer);
        ObjectNode body = (ObjectNode) JSON.readTree("{\"model\":\"spillway-model\",\"input\":[\"a\"],"
                + "\"encoding_format\":\"base64\",\"dimensions\":1}");

        // WHEN
        Generation generation = engine(Duration.ofSeconds(5)).generate(ChatCompletionRequest.of(RequestKind.EMBEDDING,
                body));

        // THEN
        assertThat(seenPath).isEqualTo("/v1/embeddings");
        assertThat(seenBody.path("encoding_format").asText()).isEqualTo("base64");
        assertThat(seenBody.path("dimensions").asInt()).isEqualTo(1);
        assertThat(generation.promptTokens()).isEqualTo(2);
        JsonNode kept = JSON.readTree(generation.answer());
        assertThat(kept.path("data").path(0).path("embedding").asText()).isEqualTo("AACAPw==");
        assertThat(kept.path("model").asText()).isEqualTo("spillway-model");
    }

    @Test
    void generate_withoutKeyOrUpstreamModel_sendsNoAuthAndTheRequestModel() throws Exception {
        // GIVEN an engine with neither key nor upstream model name
        behaviour = exchange -> respond(exchange, 200, COMPLETION);
        OpenAiHttpEngine engine = engine(Optional.empty(), Optional.empty(), Duration.ofSeconds(5));

        // WHEN
        engine.generate(request(null, null, null));

        // THEN
        assertThat(seenAuthorization).isNull();
        assertThat(seenBody.path("model").asText()).isEqualTo("spillway-model");
        assertThat(seenBody.has("temperature")).isFalse();
    }

    @Test
    void generate_whenUpstreamHitsLengthLimit_finishesWithLength() throws Exception {
        // GIVEN
        behaviour = exchange -> respond(exchange, 200, COMPLETION.replace("\"stop\"", "\"length\""));

        // WHEN
        Generation generation = engine(Duration.ofSeconds(5)).generate(request(0.0, 5, null));

        // THEN
        assertThat(generation.finishReason()).isEqualTo("length");
    }

    @Test
    void generate_whenUpstreamAnswers429_isRetryableWithRetryAfter() {
        // GIVEN
        behaviour = exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "7");
            respond(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}");
        };

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_rate_limited");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.getMessage()).contains("Rate limit reached");
    }

    @Test
    void generate_whenUpstreamAnswers503WithHttpDate_isRetryableOverloadedWithRetryAfter() {
        // GIVEN an HTTP-date a minute ahead
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        behaviour = exchange -> {
            exchange.getResponseHeaders().add("Retry-After", date);
            respond(exchange, 503, "Service Unavailable");
        };

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_overloaded");
        assertThat(e.retryAfter()).hasValueSatisfying(
                d -> assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(61)));
    }

    @Test
    void generate_whenUpstreamAnswers503_isRetryable() {
        // GIVEN
        behaviour = exchange -> respond(exchange, 503, "");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_overloaded");
        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void generate_whenUpstreamAnswers502_isRetryableUnavailable() {
        // GIVEN
        behaviour = exchange -> respond(exchange, 502, "<html>Bad Gateway</html>");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_unavailable");
    }

    @Test
    void generate_whenUpstreamAnswers400_isPermanentWithUpstreamMessage() {
        // GIVEN an OpenAI error body without a code
        behaviour = exchange -> respond(exchange, 400, """
                {"error":{"message":"max_tokens must be at most 4096","type":"invalid_request_error",
                 "param":"max_tokens","code":null}}""");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("upstream_rejected");
        assertThat(e.getMessage()).contains("max_tokens must be at most 4096");
    }

    @Test
    void generate_whenUpstreamRejectsWithItsOwnCode_carriesThatCode() {
        // GIVEN
        behaviour = exchange -> respond(exchange, 400, """
                {"error":{"message":"This model's maximum context length is 8192 tokens.",
                 "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.getMessage()).contains("maximum context length is 8192");
    }

    @Test
    void generate_whenUpstreamAnswers401_isPermanentAuthFailure() {
        // GIVEN
        behaviour = exchange -> respond(exchange, 401, "{\"error\":{\"message\":\"Incorrect API key\"}}");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("upstream_auth_failed");
    }

    @Test
    void generate_whenUpstreamSendsKeepAliveLinesBeforeTheBody_succeeds() throws Exception {
        // GIVEN a DeepSeek-style busy upstream: blank lines and SSE comments first, then the JSON, chunked
        behaviour = exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (String keepAlive : new String[] {"\n", "\r\n", ": keep-alive\n", "\n", ": keep-alive\r\n\r\n"}) {
                out.write(keepAlive.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(COMPLETION.getBytes(StandardCharsets.UTF_8));
        };

        // WHEN
        Generation generation = engine(Duration.ofSeconds(5)).generate(request(0.0, 64, null));

        // THEN
        assertThat(generation).usingRecursiveComparison().ignoringFields("answer")
                .isEqualTo(new Generation("Water finds a way.", "stop", 12, 5));
    }

    @Test
    void generate_whenUpstreamHangsPastRequestTimeout_isRetryableTimeout() {
        // GIVEN an upstream that never answers while the test runs
        behaviour = exchange -> releaseHangingHandlers.await(30, TimeUnit.SECONDS);

        // WHEN
        UpstreamException e = failure(engine(Duration.ofMillis(300)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_timeout");
    }

    @Test
    void generate_whenUpstreamStallsInsideTheBodyPastRequestTimeout_isRetryableTimeout() {
        // GIVEN an upstream that sends headers and keep-alives, then stalls
        behaviour = exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            releaseHangingHandlers.await(30, TimeUnit.SECONDS);
        };

        // WHEN
        UpstreamException e = failure(engine(Duration.ofMillis(500)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_timeout");
    }

    @Test
    void generate_whenUpstreamClosesConnectionMidBody_isRetryable() {
        // GIVEN an upstream that promises a whole body, sends part of it and closes the connection
        behaviour = exchange -> {
            byte[] body = COMPLETION.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body, 0, body.length / 3);
            exchange.getResponseBody().flush();
            // closing the exchange short of the promised length makes the JDK server drop the connection
        };

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_bad_response");
    }

    @Test
    void generate_whenUpstreamSendsUnparseable200_isRetryableBadResponse() {
        // GIVEN
        behaviour = exchange -> respond(exchange, 200, "{\"choices\":[{\"message\":");

        // WHEN
        UpstreamException e = failure(engine(Duration.ofSeconds(5)));

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_bad_response");
    }

    @Test
    void generate_whenNothingListens_isRetryableUnavailable() throws Exception {
        // GIVEN a port that was just free
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        OpenAiHttpEngine engine = new OpenAiHttpEngine(new OpenAiEngineSettings(
                URI.create("http://127.0.0.1:" + port + "/v1"), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ofSeconds(5)), vertx);

        // WHEN
        UpstreamException e = failure(engine);

        // THEN
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("upstream_unavailable");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private OpenAiHttpEngine engine(Duration requestTimeout) {
        return engine(Optional.empty(), Optional.empty(), requestTimeout);
    }

    private OpenAiHttpEngine engine(Optional<String> key, Optional<String> model, Duration requestTimeout) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        return new OpenAiHttpEngine(new OpenAiEngineSettings(base, key, model, Duration.ofSeconds(2), requestTimeout),
                vertx);
    }

    private static UpstreamException failure(OpenAiHttpEngine engine) {
        UpstreamException e = catchThrowableOfType(UpstreamException.class,
                () -> engine.generate(request(0.0, 16, null)));
        assertThat(e).as("generate should have failed").isNotNull();
        return e;
    }

    private static ChatCompletionRequest request(Double temperature, Integer maxTokens, List<String> stop) {
        return new ChatCompletionRequest("spillway-model", List.of(ChatMessage.of("user", "Where does water go?")),
                temperature, null, maxTokens, null, stop, null);
    }
}
