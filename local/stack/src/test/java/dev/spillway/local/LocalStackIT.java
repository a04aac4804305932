package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.local.emulators.Ports;

/**
 * The local stack as a user runs it: the packaged application started as its own process, which starts the
 * emulators and a worker process with the embedded llama.cpp engine. Completions come back through the real
 * queue, worker and job store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEV_KEY = "local-stack-it-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Process stack;
    private static String base;

    @BeforeAll
    static void startTheStack() throws IOException {
        int port = Ports.free();
        base = "http://127.0.0.1:" + port;
        Path app = Path.of(System.getProperty("spillway.local.app-jar"));
        Path log = Path.of("target", "local-stack-it.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspillway.local.worker-jar=" + System.getProperty("spillway.local.worker-jar"), "-jar", app.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SPILLWAY_PORT", Integer.toString(port));
        builder.environment().put("SPILLWAY_DEV_KEY", DEV_KEY);
        // a fresh data folder: the default one (.spillway/data) would carry queued messages from run to run
        builder.environment().put("SPILLWAY_DATA_DIR",
                java.nio.file.Files.createTempDirectory(Path.of("target"), "local-stack-it-data").toString());
        builder.environment().remove("SPILLWAY_GGUF");
        builder.environment().remove("SPILLWAY_UPSTREAM_BASE_URL");
        stack = builder.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get("/v1/models").statusCode() == 200);
    }

    /** Only if the orderly stop below did not happen: kill the children too, or they outlive the stack. */
    @AfterAll
    static void stopTheStack() throws Exception {
        if (stack != null && stack.isAlive()) {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    /** Last: like Ctrl-C, SIGTERM stops the stack, its worker process and its redis-server. */
    @Test
    @Order(Integer.MAX_VALUE)
    void stopsCleanly_withItsWorkerAndRedis() throws Exception {
        List<ProcessHandle> children = stack.descendants().toList();
        assertThat(children).as("worker and redis-server run as children").hasSizeGreaterThanOrEqualTo(2);

        stack.destroy();

        assertThat(stack.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the stack exits").isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(java.nio.file.Files.readString(Path.of("target", "local-stack-it.log"))).contains("worker")
                .contains("drained");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(130))
                .header("Authorization", "Bearer " + DEV_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String prefer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(130))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            request.header("Prefer", prefer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String content, String extra) {
        return "{\"model\":\"spillway-tiny\",\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]" + extra + "}";
    }

    @Test
    void officialOpenAiSdk_getsACompletionByChangingOnlyTheBaseUrl() throws Exception {
        Path sdkCheck = Path.of(System.getProperty("spillway.local.sdk-check-dir"));
        assertThat(run(sdkCheck, "npm", "ci", "--no-audit", "--no-fund", "--silent").exitValue()).isZero();

        Process check = run(sdkCheck, "node", "check.mjs", base + "/v1", "spillway-tiny", DEV_KEY);

        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("\"ok\":true").contains("\"batch\":\"batch_");
    }

    private static Process run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        return process;
    }

    @Test
    void apiKeysCommand_createsAKeyTheStackAccepts_setsItsWarmUp_listsAndRevokesIt() throws Exception {
        // The endpoint the README tells users to pass, as the stack printed it
        String log = java.nio.file.Files.readString(Path.of("target", "local-stack-it.log"));
        java.util.regex.Matcher endpoint = java.util.regex.Pattern.compile("--endpoint (http://127\\.0\\.0\\.1:\\d+)")
                .matcher(log);
        assertThat(endpoint.find()).as("the stack prints how to create keys").isTrue();
        Path repo = Path.of(System.getProperty("spillway.local.repo-dir"));

        Process create = run(repo, repo.resolve("local/api-keys").toString(), "create", "--tenant", "it-tenant",
                "--rpm", "100", "--endpoint", endpoint.group(1));

        String output = new String(create.getInputStream().readAllBytes());
        assertThat(create.exitValue()).as(output).isZero();
        String key = output.lines().filter(line -> line.startsWith("sk-spillway-")).findFirst().orElseThrow();
        HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);

        // and the README's other key commands: warm-up, list, revoke
        String keyId = output.lines().filter(line -> line.startsWith("# key id ")).findFirst().orElseThrow()
                .substring("# key id ".length()).split(",")[0];
        Process warmUp = run(repo, repo.resolve("local/api-keys").toString(), "warm-up", keyId, "150", "--endpoint",
                endpoint.group(1));
        String warmUpOutput = new String(warmUp.getInputStream().readAllBytes());
        assertThat(warmUp.exitValue()).as(warmUpOutput).isZero();
        Process list = run(repo, repo.resolve("local/api-keys").toString(), "list", "--tenant", "it-tenant",
                "--endpoint", endpoint.group(1));
        String listed = new String(list.getInputStream().readAllBytes());
        assertThat(list.exitValue()).as(listed).isZero();
        assertThat(listed).contains(keyId + " tenant=it-tenant").contains("warm-up=150/h");
        Process revoke = run(repo, repo.resolve("local/api-keys").toString(), "revoke", keyId, "--endpoint",
                endpoint.group(1));
        String revoked = new String(revoke.getInputStream().readAllBytes());
        assertThat(revoke.exitValue()).as(revoked).isZero();
        assertThat(revoked).contains("revoked " + keyId);
    }

    @Test
    void aCallWithoutTheKey_isRefused() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("missing_api_key");
    }

    @Test
    void modelsListsTheLocalModel() throws Exception {
        JsonNode models = JSON.readTree(get("/v1/models").body());

        assertThat(models.path("data").findValuesAsText("id")).containsExactly("spillway-tiny");
    }

    @Test
    void chatCompletion_isAnsweredByTheWorkersEngineThroughTheQueue() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("Hello from the IT", ""), "wait=100");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Spillway-Lane")).hasValue("spill");
        JsonNode completion = JSON.readTree(response.body());
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("model").asText()).isEqualTo("spillway-tiny");
        assertThat(completion.path("choices").get(0).path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(completion.path("usage").path("prompt_tokens").asInt()).isPositive();
        assertThat(completion.path("usage").path("completion_tokens").asInt()).isBetween(1, 12);

        String jobId = response.headers().firstValue("X-Spillway-Job-Id").orElseThrow();
        JsonNode job = JSON.readTree(get("/v1/jobs/" + jobId).body());
        assertThat(job.path("status").asText()).isEqualTo("succeeded");
        assertThat(job.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void concurrentRequests_allCompleteEachAsItsOwnJob() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return post("/v1/chat/completions", chat("concurrent request " + i, ""), "wait=100");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }))
                .toList();

        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        Set<String> jobIds = responses.stream().map(r -> r.headers().firstValue("X-Spillway-Job-Id").orElseThrow())
                .collect(Collectors.toSet());
        assertThat(jobIds).hasSize(8);
        for (String id : jobIds) {
            JsonNode job = JSON.readTree(get("/v1/jobs/" + id).body());
            assertThat(job.path("status").asText()).isEqualTo("succeeded");
            assertThat(job.path("attempts").asInt()).isEqualTo(1);
        }
    }

    @Test
    void repeatedDeterministicRequest_isAnsweredFromTheCache() throws Exception {
        String body = chat("cache me " + System.nanoTime(), ",\"temperature\":0");
        HttpResponse<String> first = post("/v1/chat/completions", body, "wait=100");
        assertThat(first.statusCode()).isEqualTo(200);

        HttpResponse<String> second = post("/v1/chat/completions", body, null);

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("X-Spillway-Cache").orElseThrow()).startsWith("hit-");
        assertThat(second.headers().firstValue("X-Spillway-Job-Id")).isEmpty();
        assertThat(JSON.readTree(second.body())).isEqualTo(JSON.readTree(first.body()));
    }

    @Test
    void metrics_countRequestsByLaneAndCacheOutcome() throws Exception {
        post("/v1/chat/completions", chat("count me", ""), "wait=100");

        HttpResponse<String> metrics = get("/q/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("spillway_requests_total{cache=\"bypass\",lane=\"spill\"}");
    }

    @Test
    void asyncJob_canBeLongPolledToItsResult() throws Exception {
        HttpResponse<String> accepted = post("/v1/jobs", chat("in the background", ""), null);
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();

        JsonNode job = JSON.readTree(get(location + "?wait=100").body());

        assertThat(job.path("status").asText()).isEqualTo("succeeded");
        assertThat(job.path("result").path("object").asText()).isEqualTo("chat.completion");
    }

    @Test
    void batch_runsOnTheWorkerAndEndsWithItsOutputFile() throws Exception {
        String lines = IntStream.range(0, 3).mapToObj(i -> "{\"custom_id\":\"line-" + i + "\",\"method\":\"POST\","
                + "\"url\":\"/v1/chat/completions\",\"body\":" + chat("batch line " + i, "") + "}")
                .collect(Collectors.joining(","));
        HttpResponse<String> created = post("/v1/batches", "{\"requests\":[" + lines + "]}", null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String batchId = JSON.readTree(created.body()).path("id").asText();

        JsonNode batch = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(get("/v1/batches/" + batchId).body()),
                        b -> b.path("status").asText().equals("completed"));

        assertThat(batch.path("request_counts").path("completed").asInt()).isEqualTo(3);
        assertThat(batch.path("error_file_id").isNull()).isTrue();
        HttpResponse<String> output = get("/v1/files/" + batch.path("output_file_id").asText() + "/content");
        assertThat(output.statusCode()).isEqualTo(200);
        List<JsonNode> results = output.body().lines().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(results).extracting(r -> r.path("custom_id").asText()).containsExactly("line-0", "line-1", "line-2");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.path("response").path("status_code").asInt()).isEqualTo(200);
            assertThat(r.path("response").path("body").path("object").asText()).isEqualTo("chat.completion");
        });
    }
}
