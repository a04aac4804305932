package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * The packaged local stack in front of an OpenAI-compatible stand-in with two sides: the "official" API the intake
 * calls directly (which answers 429 "Server busy" to prompts addressed {@code busy:300@official}, a
 * {@code Retry-After} past the wait budget, so those spill at once) and the "fleet" server the worker's
 * OpenAI-compatible engine calls. The official OpenAI Node SDK streams, calls tools, asks for JSON and reads
 * DeepSeek's fields through both lanes.
 */
class OpenAiSdkStreamingIT {

    private static final String DEV_KEY = "sdk-streaming-it-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ScriptedUpstream official;
    private static ScriptedUpstream fleet;
    private static PackagedStack stack;

    @BeforeAll
    static void startTheStackInFrontOfTheStandIn() throws Exception {
        official = new ScriptedUpstream("official");
        fleet = new ScriptedUpstream("fleet");
        stack = PackagedStack.start(Files.createTempDirectory(Path.of("target"), "sdk-streaming-it-data"),
                Files.createTempDirectory(Path.of("target"), "sdk-streaming-it-files"), DEV_KEY,
                Path.of("target", "sdk-streaming-it.log"),
                Map.of("SPILLWAY_DIRECT_BASE_URL", official.baseUrl(), "SPILLWAY_UPSTREAM_BASE_URL", fleet.baseUrl()));
        // the worker process starts its engine with the first job: once one spilled request is answered within the
        // wait budget, the SDK's spilled requests are too
        await().atMost(Duration.ofMinutes(3)).until(() -> HTTP.send(chat("busy:300@official warm up"),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private static HttpRequest chat(String content) {
        return HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"spillway-tiny\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"" + content + "\"}]}"))
                .build();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (official != null) {
            official.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void officialNodeSdk_streamsCallsToolsAndKeepsDeepSeeksFields_onBothLanes() throws Exception {
        Path sdkCheck = Path.of(System.getProperty("spillway.local.sdk-check-dir"));
        assertThat(run(sdkCheck, "npm", "ci", "--no-audit", "--no-fund", "--silent").exitValue()).isZero();

        Process check = run(sdkCheck, "node", "streaming.mjs", stack.baseUrl() + "/v1", "spillway-tiny", DEV_KEY);

        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("\"ok\":true");
        // the direct lane answered the plain prompts, the fleet the spilled ones
        assertThat(official.calls("stream me")).isEqualTo(1);
        assertThat(fleet.calls("busy:300@official stream me")).isEqualTo(1);
        assertThat(fleet.calls("stream me")).isZero();
        // the worker asked the fleet to stream the spilled one, and relayed its chunks (streaming.mjs counts them)
        assertThat(fleet.lastBody("busy:300@official stream me").replace(" ", "")).contains("\"stream\":true");
    }

    @Test
    void directLaneStream_reachesTheClientChunkByChunk_notWhenTheAnswerIsComplete() throws Exception {
        // GIVEN an upstream that sends its first chunk and holds the rest
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"spillway-tiny\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"drip slowly\"}]}"))
                .build();

        // WHEN the client reads the stream line by line
        HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        Iterator<String> lines = response.body().iterator();

        // THEN the first chunk arrives while the upstream still holds the rest
        String first = lines.next();
        assertThat(first).startsWith("data: {").contains("\"echo:\"");
        assertThat(official.calls("drip slowly")).isEqualTo(1);
        // AND the rest once the upstream sends it, ending with [DONE]
        official.releaseHeld();
        String last = first;
        while (lines.hasNext()) {
            String line = lines.next();
            if (!line.isEmpty()) {
                last = line;
            }
        }
        assertThat(last).isEqualTo("data: [DONE]");
    }

    private static Process run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        return process;
    }
}
