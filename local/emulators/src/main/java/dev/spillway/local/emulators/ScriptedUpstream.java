package dev.spillway.local.emulators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible chat-completions server on loopback whose behaviour is chosen by the last user
 * message, so tests can play the upstreams Spillway meets (vLLM, DeepSeek's API) including their bad days:
 * <ul>
 * <li>{@code hold ...}: answers only after {@link #releaseHeld()}</li>
 * <li>{@code sleep:<ms> ...}: answers after a delay</li>
 * <li>{@code fail:<status> ...}: always answers that status with an OpenAI error body</li>
 * <li>{@code flaky:<n> ...}: answers 503 to the first n calls with that content, then succeeds</li>
 * <li>{@code down:<n> ...}: answers 502 to the first n calls, as a proxy in front of a server that is down</li>
 * <li>{@code ratelimit:<n> ...}: answers 429 with {@code Retry-After: 1} to the first n calls, then succeeds</li>
 * <li>{@code busy:<s> ...}: always answers 429 with {@code Retry-After: s}, as an account at its concurrency limit</li>
 * <li>{@code keepalive:<n> ...}: holds the answer open with n blank lines and {@code : keep-alive} comments before
 * the JSON, as DeepSeek does when busy</li>
 * <li>{@code cut:<n> ...}: to the first n calls, promises the whole body, sends a third of it and closes</li>
 * <li>{@code ...rich...} (after any command): a completion with every field DeepSeek and OpenAI add ({@link #RICH_COMPLETION}): reasoning
 * content, a tool call, logprobs, a system fingerprint, cache-hit usage and a field no client library knows</li>
 * <li>anything else: {@code echo: <content>}</li>
 * </ul>
 * A request with {@code "stream":true} is answered with server-sent events in OpenAI's chunk format, a word per
 * chunk, the usage last when {@code stream_options.include_usage} asks for it, then {@code data: [DONE]}; {@code rich}
 * streams reasoning and a tool call split over chunks; {@code ...cutstream...} ends the body after two chunks, without
 * {@code [DONE]}; {@code ...drip...} sends its first chunk at once and the rest only after {@link #releaseHeld()}.
 * <ul>
 * </ul>
 * It serves {@code /v1/completions} and {@code /v1/embeddings} too, scripted by the {@code prompt} or the (first)
 * {@code input} string as chat is by the last user message: a completion is a {@code text_completion} echoing the
 * prompt (streamed as {@code text_completion} chunks), an embedding a small vector derived from the input's length,
 * of {@code dimensions} numbers (3 by default), base64-encoded little-endian floats when {@code encoding_format} asks.
 * A command may name the upstream it is meant for, {@code fail:503@primary ...}: an upstream with another
 * {@linkplain #ScriptedUpstream(String) name} ignores it and echoes, so one prompt can script several upstreams.
 * It counts calls per content, and remembers when they arrived, so tests can tell how often and how far apart the
 * caller really called, and keeps the last body each content arrived in, so tests can check what reached it. Like vLLM it can publish its load on {@code GET /metrics} (Prometheus text) once a test
 * sets it with {@link #reportLoad}; until then that page is a 404, as on a server without metrics.
 */
public final class ScriptedUpstream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAST_USER_CONTENT = Pattern.compile(
            "\"role\"\\s*:\\s*\"user\"\\s*,\\s*\"content\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern COMMAND = Pattern.compile(
            "^(sleep|fail|flaky|down|ratelimit|busy|keepalive|cut):(\\d+)(?:@([A-Za-z0-9_-]+))?(?:\\s.*)?$", Pattern.DOTALL);

    /** What {@code rich} answers, byte for byte. */
    public static final String RICH_COMPLETION = "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion\","
            + "\"created\":1700000000,\"model\":\"upstream\",\"system_fingerprint\":\"fp_deep_1\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"reasoning_content\":\"The user wants the weather, so call the tool.\","
            + "\"tool_calls\":[{\"id\":\"call_0\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
            + "\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.0123,\"bytes\":[72,105],"
            + "\"top_logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.0123,\"bytes\":[72,105]}]}]},"
            + "\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,"
            + "\"prompt_cache_hit_tokens\":8,\"prompt_cache_miss_tokens\":4,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":5}},"
            + "\"x_future_field\":{\"kept\":[1,2.5,true,null]}}";

    private final String name;
    private final HttpServer server;
    private final Map<String, String> lastBodies = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, List<Instant>> arrivals = new ConcurrentHashMap<>();
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile String metricsPage;

    /** An upstream that obeys every command. */
    public ScriptedUpstream() {
        this(null);
    }

    /** @param name the name commands address with {@code @name}; commands for other names are ignored */
    public ScriptedUpstream(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "scripted-upstream");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/v1/chat/completions", this::handle);
        server.createContext("/v1/completions", this::handle);
        server.createContext("/v1/embeddings", this::handle);
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    /** Base URL to configure as an engine's {@code base-url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** How many requests arrived whose last user message was {@code content}. */
    public int calls(String content) {
        AtomicInteger count = calls.get(content);
        return count == null ? 0 : count.get();
    }

    /** When each request whose last user message was {@code content} arrived, in order. */
    public List<Instant> arrivals(String content) {
        List<Instant> times = arrivals.get(content);
        return times == null ? List.of() : List.copyOf(times);
    }

    /** The body of the last request whose last user message was {@code content}, as it arrived. */
    public String lastBody(String content) {
        return lastBodies.get(content);
    }

    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Lets every held request answer; later {@code hold} requests are held again. */
    public void releaseHeld() {
        CountDownLatch current = held;
        held = new CountDownLatch(1);
        current.countDown();
    }

    /** From now on {@code GET /metrics} reports this load, in vLLM's gauge names. */
    public void reportLoad(int waiting, int running, double kvCacheUsage) {
        String labels = "{model_name=\"upstream\",engine=\"0\"}";
        metricsPage = "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n"
                + "# TYPE vllm:num_requests_waiting gauge\n"
                + "vllm:num_requests_waiting" + labels + " " + (double) waiting + "\n"
                + "# TYPE vllm:num_requests_running gauge\n"
                + "vllm:num_requests_running" + labels + " " + (double) running + "\n"
                + "# TYPE vllm:kv_cache_usage_perc gauge\n"
                + "vllm:kv_cache_usage_perc" + labels + " " + kvCacheUsage + "\n";
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            String page = metricsPage;
            byte[] bytes = (page == null ? "not found" : page).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(page == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Endpoint endpoint = Endpoint.of(exchange.getHttpContext().getPath());
            JsonNode request = endpoint == Endpoint.CHAT ? null : JSON.readTree(body);
            String content = switch (endpoint) {
                case CHAT -> lastUserContent(body);
                case COMPLETIONS -> firstText(request.path("prompt"));
                case EMBEDDINGS -> firstText(request.path("input"));
            };
            lastBodies.put(content, body);
            // Taken before the call is counted: whoever saw the count and then called releaseHeld() released it.
            CountDownLatch gate = held;
            arrivals.computeIfAbsent(content, c -> new CopyOnWriteArrayList<>()).add(Instant.now());
            int call = calls.computeIfAbsent(content, c -> new AtomicInteger()).incrementAndGet();
            Matcher command = COMMAND.matcher(content);
            boolean forMe = command.matches() && (command.group(3) == null || command.group(3).equals(name));
            if (content.startsWith("hold")) {
                gate.await(120, TimeUnit.SECONDS);
            } else if (forMe) {
                int number = Integer.parseInt(command.group(2));
                switch (command.group(1)) {
                    case "sleep" -> Thread.sleep(number);
                    case "fail" -> {
                        error(exchange, number);
                        return;
                    }
                    case "flaky" -> {
                        if (call <= number) {
                            error(exchange, 503);
                            return;
                        }
                    }
                    case "down" -> {
                        if (call <= number) {
                            error(exchange, 502);
                            return;
                        }
                    }
                    case "ratelimit" -> {
                        if (call <= number) {
                            error(exchange, 429);
                            return;
                        }
                    }
                    case "busy" -> {
                        error(exchange, 429, number);
                        return;
                    }
                    case "keepalive" -> {
                        sendAfterKeepAlives(exchange, answer(endpoint, content, request), number);
                        return;
                    }
                    case "cut" -> {
                        if (call <= number) {
                            sendCutOff(exchange, answer(endpoint, content, request));
                            return;
                        }
                    }
                    default -> throw new IllegalStateException(command.group(1));
                }
            }
            if (endpoint != Endpoint.CHAT) {
                if (endpoint == Endpoint.COMPLETIONS && request.path("stream").asBoolean(false)) {
                    streamText(exchange, content, request.path("stream_options").path("include_usage").asBoolean());
                } else {
                    send(exchange, 200, answer(endpoint, content, request));
                }
                return;
            }
            if (body.replace(" ", "").contains("\"stream\":true")) {
                stream(exchange, content, body.replace(" ", "").contains("\"include_usage\":true"), gate);
                return;
            }
            if (content.contains("rich")) {
                send(exchange, 200, RICH_COMPLETION);
                return;
            }
            send(exchange, 200, completion(content));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The endpoints it serves. */
    private enum Endpoint {
        CHAT, COMPLETIONS, EMBEDDINGS;

        static Endpoint of(String path) {
            return path.endsWith("/embeddings") ? EMBEDDINGS : path.endsWith("/chat/completions") ? CHAT : COMPLETIONS;
        }
    }

    private static String answer(Endpoint endpoint, String content, JsonNode request) {
        return switch (endpoint) {
            case CHAT -> completion(content);
            case COMPLETIONS -> textCompletion(content);
            case EMBEDDINGS -> embeddings(content, request);
        };
    }

    /** A prompt's or an input's string, or the first of a list of them; empty for token ids. */
    private static String firstText(JsonNode value) {
        if (value.isArray() && !value.isEmpty()) {
            value = value.get(0);
        }
        return value.isTextual() ? value.textValue() : "";
    }

    private static String textCompletion(String prompt) {
        String answer = "echo: " + prompt;
        ObjectNode json = JSON.createObjectNode().put("id", "cmpl-upstream").put("object", "text_completion")
                .put("created", 0).put("model", "upstream").put("system_fingerprint", "fp_fim_1");
        json.putArray("choices").addObject().put("text", answer).put("index", 0).putNull("logprobs")
                .put("finish_reason", "stop");
        json.putObject("usage").put("prompt_tokens", words(prompt)).put("completion_tokens", words(answer))
                .put("total_tokens", words(prompt) + words(answer)).put("prompt_cache_hit_tokens", 0);
        return json.toString();
    }

    /** One embedding per input, each {@code dimensions} numbers that depend on the input's length and position. */
    private static String embeddings(String content, JsonNode request) {
        JsonNode input = request.path("input");
        int inputs = input.isArray() && !input.path(0).isNumber() ? input.size() : 1;
        int dimensions = request.path("dimensions").asInt(3);
        boolean base64 = "base64".equals(request.path("encoding_format").asText());
        ObjectNode json = JSON.createObjectNode().put("object", "list").put("model", "upstream");
        ArrayNode data = json.putArray("data");
        for (int i = 0; i < inputs; i++) {
            float[] vector = new float[dimensions];
            for (int d = 0; d < dimensions; d++) {
                vector[d] = (content.length() + i) / (float) (d + 1);
            }
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(4 * dimensions).order(ByteOrder.LITTLE_ENDIAN);
                for (float value : vector) {
                    bytes.putFloat(value);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode numbers = item.putArray("embedding");
                for (float value : vector) {
                    numbers.add(value);
                }
            }
        }
        json.putObject("usage").put("prompt_tokens", words(content)).put("total_tokens", words(content));
        return json.toString();
    }

    /** A text completion as OpenAI streams one: {@code text_completion} chunks, a word each, then the finish. */
    private static void streamText(HttpExchange exchange, String prompt, boolean includeUsage) throws IOException {
        String answer = "echo: " + prompt;
        List<String> chunks = new java.util.ArrayList<>();
        String[] words = answer.split(" ");
        for (int i = 0; i < words.length; i++) {
            chunks.add(textChunk((i == 0 ? "" : " ") + words[i], null));
        }
        chunks.add(textChunk("", "stop"));
        if (includeUsage) {
            ObjectNode usage = JSON.createObjectNode().put("id", "cmpl-stream").put("object", "text_completion")
                    .put("created", 0).put("model", "upstream");
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", words(prompt)).put("completion_tokens", words(answer))
                    .put("total_tokens", words(prompt) + words(answer));
            chunks.add(usage.toString());
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String chunk : chunks) {
                out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String textChunk(String text, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "cmpl-stream").put("object", "text_completion")
                .put("created", 0).put("model", "upstream");
        chunk.putArray("choices").addObject().put("text", text).put("index", 0).putNull("logprobs")
                .put("finish_reason", finishReason);
        return chunk.toString();
    }

    private static String completion(String content) {
        String answer = "echo: " + content;
        return "{\"id\":\"chatcmpl-upstream\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"upstream\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + escape(answer)
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + words(content)
                + ",\"completion_tokens\":" + words(answer) + ",\"total_tokens\":" + (words(content) + words(answer))
                + "}}";
    }

    /** The chunks {@code stream} sends for {@code rich}: everything {@link #RICH_COMPLETION} holds, in pieces. */
    public static final List<String> RICH_CHUNKS = List.of(
            "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream\","
                    + "\"system_fingerprint\":\"fp_deep_1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                    + "\"content\":null,\"reasoning_content\":\"The user wants\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream\","
                    + "\"system_fingerprint\":\"fp_deep_1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":"
                    + "\" the weather.\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream\","
                    + "\"system_fingerprint\":\"fp_deep_1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                    + "\"id\":\"call_0\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\"}}]},"
                    + "\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream\","
                    + "\"system_fingerprint\":\"fp_deep_1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                    + "\"function\":{\"arguments\":\"\\\":\\\"Oslo\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-rich\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"upstream\","
                    + "\"system_fingerprint\":\"fp_deep_1\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
                    + "\"finish_reason\":\"tool_calls\"}],\"x_future_field\":true}");
    private static final String RICH_USAGE = "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,"
            + "\"total_tokens\":19,\"prompt_cache_hit_tokens\":8,\"prompt_cache_miss_tokens\":4}";

    private static void stream(HttpExchange exchange, String content, boolean includeUsage, CountDownLatch gate)
            throws IOException, InterruptedException {
        List<String> chunks = new java.util.ArrayList<>();
        String usage;
        if (content.contains("rich")) {
            chunks.addAll(RICH_CHUNKS);
            usage = RICH_USAGE;
        } else {
            String answer = "echo: " + content;
            String head = "{\"id\":\"chatcmpl-stream\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                    + "\"model\":\"upstream\",\"choices\":[{\"index\":0,\"delta\":";
            String[] words = answer.split(" ");
            for (int i = 0; i < words.length; i++) {
                chunks.add(head + "{" + (i == 0 ? "\"role\":\"assistant\"," : "") + "\"content\":\""
                        + escape((i == 0 ? "" : " ") + words[i]) + "\"},\"logprobs\":null,\"finish_reason\":null}]}");
            }
            chunks.add(head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}");
            usage = "\"usage\":{\"prompt_tokens\":" + words(content) + ",\"completion_tokens\":" + words(answer)
                    + ",\"total_tokens\":" + (words(content) + words(answer)) + "}";
        }
        if (includeUsage) {
            chunks.add("{\"id\":\"chatcmpl-stream\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                    + "\"model\":\"upstream\",\"choices\":[]," + usage + "}");
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (int i = 0; i < chunks.size(); i++) {
            if (content.contains("cutstream") && i == 2) {
                out.close(); // the body ends here, before the answer is complete and without [DONE]
                return;
            }
            out.write(("data: " + chunks.get(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (content.contains("drip") && i == 0) {
                gate.await(120, TimeUnit.SECONDS);
            }
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    /** Chunked: the blank lines and SSE comments go out one by one before the JSON, as a busy DeepSeek sends them. */
    private static void sendAfterKeepAlives(HttpExchange exchange, String json, int keepAlives) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < keepAlives; i++) {
                out.write((i % 2 == 0 ? "\n" : ": keep-alive\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Closing the exchange short of the promised length makes the JDK server drop the connection mid-body. */
    private static void sendCutOff(HttpExchange exchange, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        OutputStream out = exchange.getResponseBody();
        out.write(bytes, 0, bytes.length / 3);
        out.flush();
    }

    private static void error(HttpExchange exchange, int status) throws IOException {
        error(exchange, status, status == 429 || status == 503 ? 1 : -1);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} unless negative */
    private static void error(HttpExchange exchange, int status, int retryAfterSeconds) throws IOException {
        if (retryAfterSeconds >= 0) {
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
        }
        send(exchange, status, "{\"error\":{\"message\":\"scripted failure " + status
                + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"scripted\"}}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String lastUserContent(String body) {
        Matcher matcher = LAST_USER_CONTENT.matcher(body);
        String last = "";
        while (matcher.find()) {
            last = matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return last;
    }

    private static int words(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        releaseHeld();
        server.stop(0);
    }
}
