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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * The packaged stack serving two models at once, each with its own queues and its own worker: the embedded llama.cpp
 * model {@code spillway-tiny} and {@code scripted}, an OpenAI-compatible engine over a loopback server. Each worker
 * knows only its own model and fails any job of another ({@code model_not_served}), so every job of both models
 * succeeding on its first attempt shows each reached only its own model's worker.
 */
class FleetPerModelIT {

    private static final String DEV_KEY = "fleet-it-key";
    private static final int JOBS_PER_MODEL = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ScriptedUpstream upstream;
    private static PackagedStack stack;

    @BeforeAll
    static void startTheStack() throws Exception {
        upstream = new ScriptedUpstream();
        stack = PackagedStack.start(Files.createTempDirectory(Path.of("target"), "fleet-it-data"),
                Files.createTempDirectory(Path.of("target"), "fleet-it-files"), DEV_KEY,
                Path.of("target", "fleet-it.log"),
                Map.of("SPILLWAY_UPSTREAM_BASE_URL", upstream.baseUrl(), "SPILLWAY_UPSTREAM_SERVED_MODEL", "scripted"));
    }

    @AfterAll
    static void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void eachModelsJobs_reachOnlyItsOwnWorker() throws Exception {
        // GIVEN both models listed, each served by a worker that reads only its own model's queues
        JsonNode models = JSON.readTree(stack.get("/v1/models").body());
        assertThat(models.path("data").findValuesAsText("id")).containsExactlyInAnyOrder("spillway-tiny", "scripted");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(stack.log()).contains("polling [spillway-tiny/interactive, spillway-tiny/standard, "
                        + "spillway-tiny/batch]")
                        .contains("polling [scripted/interactive, scripted/standard, scripted/batch]"));

        // WHEN jobs of both models are submitted, interleaved
        List<String> tinyJobs = new ArrayList<>();
        List<String> scriptedJobs = new ArrayList<>();
        for (int i = 0; i < JOBS_PER_MODEL; i++) {
            tinyJobs.add(submit("spillway-tiny", "tiny job " + i));
            scriptedJobs.add(submit("scripted", "scripted job " + i));
        }

        // THEN every one succeeds at its first attempt: none reached a worker without its model's engine
        for (int i = 0; i < JOBS_PER_MODEL; i++) {
            JsonNode tiny = finished(tinyJobs.get(i));
            assertThat(tiny.path("status").asText()).as(tiny.toString()).isEqualTo("succeeded");
            assertThat(tiny.path("attempts").asInt()).isEqualTo(1);
            assertThat(tiny.path("result").path("model").asText()).isEqualTo("spillway-tiny");
            JsonNode scripted = finished(scriptedJobs.get(i));
            assertThat(scripted.path("status").asText()).as(scripted.toString()).isEqualTo("succeeded");
            assertThat(scripted.path("attempts").asInt()).isEqualTo(1);
            // AND the scripted model's answers came from its engine's server, once each; the tiny model's never went there
            assertThat(scripted.path("result").path("choices").get(0).path("message").path("content").asText())
                    .isEqualTo("echo: scripted job " + i);
            assertThat(upstream.calls("scripted job " + i)).isEqualTo(1);
            assertThat(upstream.calls("tiny job " + i)).isZero();
        }
    }

    @Test
    void anUnknownModel_isA404InTheOpenAiErrorShape() throws Exception {
        HttpResponse<String> refused = post("/v1/jobs", chat("not-a-model", "nobody serves me"));

        assertThat(refused.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("param").asText()).isEqualTo("model");
        assertThat(refused.headers().firstValue("Location")).isEmpty();
    }

    private static String submit(String model, String content) throws Exception {
        HttpResponse<String> accepted = post("/v1/jobs", chat(model, content));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return accepted.headers().firstValue("Location").orElseThrow();
    }

    /** Long-polls the job until it is final. */
    private static JsonNode finished(String location) throws Exception {
        JsonNode job = JSON.readTree(stack.get(location + "?wait=100").body());
        for (int polls = 0; polls < 5 && !isFinal(job); polls++) {
            job = JSON.readTree(stack.get(location + "?wait=100").body());
        }
        return job;
    }

    private static boolean isFinal(JsonNode job) {
        return List.of("succeeded", "failed", "cancelled", "expired").contains(job.path("status").asText());
    }

    private static String chat(String model, String content) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + DEV_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
