package dev.spillway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A loopback OpenAI-compatible server that generates at a fixed pace, as an engine would: its first token after
 * {@code firstToken}, then one more every {@code interval}, {@code chunks} tokens in all. Asked to stream
 * ({@code "stream":true}), it sends each token as a {@code chat.completion.chunk} event when it is "generated",
 * then {@code data: [DONE]}; asked for a whole answer (as Spillway's worker asks), it answers the same text in one
 * completion once the last token is generated. It counts both kinds of call, so a benchmark can prove each request
 * reached it exactly once.
 */
final class StreamingCompletionServer implements AutoCloseable {

    private static final String CHUNK_PREFIX = "data: {\"id\":\"chatcmpl-stream\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1767225600,\"model\":\"stream-model\",\"choices\":[{\"index\":0,\"delta\":";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "streaming-upstream");
        thread.setDaemon(true);
        return thread;
    });
    private final long firstTokenNanos;
    private final long intervalNanos;
    private final int chunks;
    private final AtomicInteger streamed = new AtomicInteger();
    private final AtomicInteger whole = new AtomicInteger();

    StreamingCompletionServer(Duration firstToken, Duration interval, int chunks) {
        this.firstTokenNanos = firstToken.toNanos();
        this.intervalNanos = interval.toNanos();
        this.chunks = chunks;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", this::answer);
        server.setExecutor(threads);
        server.start();
    }

    /** The API root clients append {@code /chat/completions} to. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The text every answer carries: the concatenation of the streamed chunks' contents. */
    String content() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks; i++) {
            text.append(token(i));
        }
        return text.toString();
    }

    int streamedCalls() {
        return streamed.get();
    }

    int wholeCalls() {
        return whole.get();
    }

    private static String token(int index) {
        return "token" + index + " ";
    }

    private void answer(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (body.replace(" ", "").contains("\"stream\":true")) {
            streamed.incrementAndGet();
            stream(exchange, start);
        } else {
            whole.incrementAndGet();
            answerWhole(exchange, start);
        }
    }

    private void stream(HttpExchange exchange, long start) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < chunks; i++) {
                waitUntil(start + firstTokenNanos + i * intervalNanos);
                String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"" + token(i) + "\"}"
                        : "{\"content\":\"" + token(i) + "\"}";
                send(out, CHUNK_PREFIX + delta + ",\"finish_reason\":null}]}\n\n");
            }
            send(out, CHUNK_PREFIX + "{},\"finish_reason\":\"stop\"}]}\n\n");
            send(out, "data: [DONE]\n\n");
        }
    }

    private void answerWhole(HttpExchange exchange, long start) throws IOException {
        waitUntil(start + firstTokenNanos + (chunks - 1) * intervalNanos);
        byte[] completion = ("{\"id\":\"chatcmpl-stream\",\"object\":\"chat.completion\",\"created\":1767225600,"
                + "\"model\":\"stream-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + content() + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
                + "10,\"completion_tokens\":" + chunks + ",\"total_tokens\":" + (10 + chunks) + "}}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, completion.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(completion);
        }
    }

    private static void send(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The simulated generation's pace: parks until the token is due, so delays do not add up. */
    private static void waitUntil(long dueNanos) {
        for (long left = dueNanos - System.nanoTime(); left > 0; left = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
