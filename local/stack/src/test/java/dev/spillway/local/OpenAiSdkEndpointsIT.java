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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * The packaged local stack in front of the two-sided OpenAI-compatible stand-in {@link OpenAiSdkStreamingIT} uses (an
 * "official" API the intake calls directly, answering 429 "Server busy" to prompts addressed
 * {@code busy:300@official}, a {@code Retry-After} past the wait budget so they spill at once, and a "fleet" server
 * for the worker's engine), both serving {@code /v1/completions} and
 * {@code /v1/embeddings}: the official OpenAI Node SDK's {@code client.completions.create} (FIM with {@code suffix},
 * whole and streamed) and {@code client.embeddings.create} work through the direct lane and the spill lane.
 */
class OpenAiSdkEndpointsIT {

    private static final String DEV_KEY = "sdk-endpoints-it-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ScriptedUpstream official;
    private static ScriptedUpstream fleet;
    private static PackagedStack stack;

    @BeforeAll
    static void startTheStackInFrontOfTheStandIn() throws Exception {
        official = new ScriptedUpstream("official");
        fleet = new ScriptedUpstream("fleet");
        stack = PackagedStack.start(Files.createTempDirectory(Path.of("target"), "sdk-endpoints-it-data"),
                Files.createTempDirectory(Path.of("target"), "sdk-endpoints-it-files"), DEV_KEY,
                Path.of("target", "sdk-endpoints-it.log"),
                Map.of("SPILLWAY_DIRECT_BASE_URL", official.baseUrl(), "SPILLWAY_UPSTREAM_BASE_URL", fleet.baseUrl(),
                        "SPILLWAY_DIRECT_ENDPOINTS", "chat/completions,completions,embeddings"));
        // the worker process starts its engine with the first job: once one spilled request is answered within the
        // wait budget, the SDK's spilled requests are too
        await().atMost(Duration.ofMinutes(3)).until(() -> HTTP.send(post("/v1/completions",
                "{\"model\":\"spillway-tiny\",\"prompt\":\"busy:300@official warm up\"}"),
                HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private static HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body))
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
    void officialNodeSdk_completesWithFimAndEmbeds_onBothLanes() throws Exception {
        Path sdkCheck = Path.of(System.getProperty("spillway.local.sdk-check-dir"));
        assertThat(run(sdkCheck, "npm", "ci", "--no-audit", "--no-fund", "--silent").exitValue()).isZero();

        Process check = run(sdkCheck, "node", "endpoints.mjs", stack.baseUrl() + "/v1", "spillway-tiny", DEV_KEY);

        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("\"ok\":true");
        // the direct lane answered the plain prompts, the fleet the spilled ones, each on its own endpoint
        assertThat(official.calls("def fib(a):")).isEqualTo(1);
        assertThat(fleet.calls("def fib(a):")).isZero();
        assertThat(fleet.calls("busy:300@official def fib(a):")).isEqualTo(1);
        assertThat(official.calls("embed me")).isEqualTo(1);
        assertThat(fleet.calls("busy:300@official embed me")).isEqualTo(1);
        // AND the FIM suffix reached both, as the SDK sent it
        assertThat(JSON.readTree(official.lastBody("def fib(a):")).path("suffix").asText())
                .isEqualTo("    return fib(a - 1) + fib(a - 2)");
        JsonNode spilled = JSON.readTree(fleet.lastBody("busy:300@official def fib(a):"));
        assertThat(spilled.path("suffix").asText()).isEqualTo("    return fib(a - 1) + fib(a - 2)");
        assertThat(spilled.path("model").asText()).isEqualTo("spillway-tiny");
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
