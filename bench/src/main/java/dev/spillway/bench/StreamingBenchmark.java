package dev.spillway.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Time to first token and to the last chunk of {@code stream: true} chat completions, three ways in one run: the
 * engine alone (a {@link StreamingCompletionServer} on loopback, called directly: the baseline), Spillway's direct
 * lane to that server, and Spillway's spill lane with an idle fleet, whose worker's OpenAI-compatible engine calls
 * the same server. Two models on one local stack: {@code bench-direct} goes direct to the server; {@code bench-model}
 * has no direct target, so each of its requests becomes a job for the worker.
 *
 * <p>On the spill lane the worker asks the engine to stream and writes each chunk into the job's live stream, which the
 * intake relays as it comes, so its first token comes when the engine's does plus the lane's round trips (SQS,
 * claim, Redis). Requests are uncacheable (temperature 0.7) and sent one at a time, the lanes taking turns; every
 * stream must end with {@code data: [DONE]} and carry the server's text, and the server counts its calls to prove
 * each request reached it exactly once.
 *
 * <p>Options: {@code --requests} (per lane), {@code --warmup} (per lane), {@code --first-token-ms} (50),
 * {@code --interval-ms} (10), {@code --chunks} (20).
 */
public final class StreamingBenchmark implements Benchmark {

    private static final String DIRECT_MODEL = "bench-direct";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public boolean run(BenchOptions options) throws Exception {
        int requests = options.integer("requests", 200, 5);
        int warmup = options.integer("warmup", 50, 2);
        Duration firstToken = Duration.ofMillis(options.integer("first-token-ms", 50, 50));
        Duration interval = Duration.ofMillis(options.integer("interval-ms", 10, 10));
        int chunks = options.integer("chunks", 20, 20);

        try (StreamingCompletionServer engine = new StreamingCompletionServer(firstToken, interval, chunks);
                LocalStackProcess stack = LocalStackProcess.start(options, "streaming", engine.baseUrl(),
                        Map.of("spillway.upstreams.streaming.base-url", engine.baseUrl(),
                                "spillway.models.\"" + DIRECT_MODEL + "\".direct", "streaming"))) {
            URI intake = URI.create(stack.baseUrl() + "/v1/chat/completions");
            List<Lane> lanes = List.of(
                    new Lane("engine alone (streaming server, called directly)",
                            URI.create(engine.baseUrl() + "/chat/completions"), DIRECT_MODEL, null, false),
                    new Lane("direct lane (intake → the same server)", intake, DIRECT_MODEL, "direct", false),
                    new Lane("spill lane, idle fleet (intake → SQS → worker → server; tokens relayed live)",
                            intake, LocalStackProcess.MODEL, "spill", true));

            // The first spilled job starts the worker's engine; the JITs of both JVMs want some rounds too.
            for (int i = 0; i < warmup; i++) {
                for (Lane lane : lanes) {
                    lane.call(engine.content(), false);
                }
            }
            int streamedBefore = engine.streamedCalls();
            int wholeBefore = engine.wholeCalls();
            // The lanes take turns, each round starting with another, so load from outside falls on all alike.
            for (int i = 0; i < requests; i++) {
                for (int j = 0; j < lanes.size(); j++) {
                    lanes.get((i + j) % lanes.size()).call(engine.content(), true);
                }
            }
            int streamedCalls = engine.streamedCalls() - streamedBefore;
            int wholeCalls = engine.wholeCalls() - wholeBefore;

            Lane alone = lanes.get(0);
            Table results = new Table(String.format(Locale.ROOT, "Streaming: time to first token and to the last "
                    + "chunk (1 client; engine: first token after %d ms, then %d chunks %d ms apart)",
                    firstToken.toMillis(), chunks, interval.toMillis()), "path", "requests", "failed",
                    "TTFT p50 ms", "TTFT p99 ms", "last chunk p50 ms", "last chunk p99 ms", "TTFT p50 / engine",
                    "last chunk p50 / engine");
            for (Lane lane : lanes) {
                Latencies first = lane.firstToken();
                Latencies last = lane.lastChunk();
                results.row(lane.name, first.count(), lane.failures, first.p50(), first.p99(), last.p50(), last.p99(),
                        first.p50() / alone.firstToken().p50(), last.p50() / alone.lastChunk().p50());
            }
            results.print(System.out);

            Lane direct = lanes.get(1);
            Lane spill = lanes.get(2);
            double directOverhead = direct.firstToken().p50() - alone.firstToken().p50();
            Table overhead = new Table("What each lane adds to the engine's own time", "measure", "direct lane",
                    "spill lane");
            overhead.row("TTFT p50 overhead, ms (lane p50 - engine p50)", directOverhead,
                    spill.firstToken().p50() - alone.firstToken().p50());
            overhead.row("TTFT p99 overhead, ms (lane p99 - engine p99)",
                    direct.firstToken().p99() - alone.firstToken().p99(),
                    spill.firstToken().p99() - alone.firstToken().p99());
            overhead.row("last chunk p50 overhead, ms", direct.lastChunk().p50() - alone.lastChunk().p50(),
                    spill.lastChunk().p50() - alone.lastChunk().p50());
            overhead.row("first token to last chunk p50, ms (engine: " + String.format(Locale.ROOT, "%.2f",
                    alone.lastChunk().p50() - alone.firstToken().p50()) + ")",
                    direct.lastChunk().p50() - direct.firstToken().p50(),
                    spill.lastChunk().p50() - spill.firstToken().p50());
            overhead.print(System.out);

            System.out.printf(Locale.ROOT, "%ngoal: direct lane TTFT p50 overhead <= 2 ms over the engine alone -> %s%s"
                    + "%nspill lane (no goal yet): its first token comes %.2f ms after the engine's first token "
                    + "(the engine's whole answer takes %.2f ms)%n",
                    CacheHitBenchmark.verdict(directOverhead <= 2),
                    options.quick() ? " (quick run: too few requests to judge)" : "",
                    spill.firstToken().p50() - alone.firstToken().p50(), alone.lastChunk().p50());

            // every lane streams from the server: the worker too, since its job's client streams
            boolean exactlyOnce = streamedCalls == 3 * requests && wholeCalls == 0;
            if (!exactlyOnce) {
                System.out.printf("the server streamed %d times (expected %d) and answered %d whole (expected 0)%n",
                        streamedCalls, 3 * requests, wholeCalls);
            }
            int failures = 0;
            for (Lane lane : lanes) {
                failures += lane.failures;
                if (lane.firstFailure != null) {
                    System.out.println("wrong stream on " + lane.name + ": " + lane.firstFailure);
                }
            }
            return exactlyOnce && failures == 0;
        }
    }

    /** One way to the engine: where requests go, which model they name, and what came back. */
    private static final class Lane {

        private final String name;
        private final URI uri;
        private final String model;
        /** The {@code X-Spillway-Lane} the answer must carry; null for the engine, which sends none. */
        private final String expectedLane;
        private final boolean spills;
        private final List<Long> firstTokenNanos = new ArrayList<>();
        private final List<Long> lastChunkNanos = new ArrayList<>();
        private int failures;
        private String firstFailure;

        Lane(String name, URI uri, String model, String expectedLane, boolean spills) {
            this.name = name;
            this.uri = uri;
            this.model = model;
            this.expectedLane = expectedLane;
            this.spills = spills;
        }

        /** One streamed request, read as it arrives; timed and checked when {@code measured}. */
        void call(String expectedContent, boolean measured) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + LocalStackProcess.DEV_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":true,"
                            + "\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":"
                            + "\"What is a spillway?\"}]}"));
            if (spills) {
                request.header("Prefer", "wait=60");
            }
            long start = System.nanoTime();
            HttpResponse<InputStream> response = CLIENT.send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long firstToken = -1;
            long done = -1;
            boolean dataAfterDone = false;
            StringBuilder content = new StringBuilder();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("data:")) {
                        continue; // blank separators and SSE comments (keep-alives while queued)
                    }
                    String data = line.substring("data:".length()).strip();
                    if (done >= 0) {
                        dataAfterDone = true;
                    } else if (data.equals("[DONE]")) {
                        done = System.nanoTime();
                    } else {
                        String text = JSON.readTree(data).path("choices").path(0).path("delta").path("content")
                                .asText("");
                        if (!text.isEmpty() && firstToken < 0) {
                            firstToken = System.nanoTime();
                        }
                        content.append(text);
                    }
                }
            }
            if (!measured) {
                return;
            }
            String lane = response.headers().firstValue("X-Spillway-Lane").orElse(null);
            String wrong = null;
            if (response.statusCode() != 200) {
                wrong = "status " + response.statusCode();
            } else if (expectedLane != null && !expectedLane.equals(lane)) {
                wrong = "X-Spillway-Lane " + lane + ", expected " + expectedLane;
            } else if (done < 0 || dataAfterDone) {
                wrong = done < 0 ? "the stream did not end with data: [DONE]" : "data after [DONE]";
            } else if (!content.toString().equals(expectedContent)) {
                wrong = "content \"" + content + "\"";
            }
            if (wrong != null) {
                failures++;
                if (firstFailure == null) {
                    firstFailure = wrong;
                }
                return;
            }
            firstTokenNanos.add(firstToken - start);
            lastChunkNanos.add(done - start);
        }

        Latencies firstToken() {
            return new Latencies(firstTokenNanos.stream().mapToLong(Long::longValue).toArray(), 0);
        }

        Latencies lastChunk() {
            return new Latencies(lastChunkNanos.stream().mapToLong(Long::longValue).toArray(), 0);
        }
    }
}
