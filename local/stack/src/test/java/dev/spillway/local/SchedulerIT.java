package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.local.emulators.Ports;

/**
 * The scheduler's timer in the packaged local stack: with its workers polling nothing, requests pile up in the
 * interactive queue, and the backlog gauges at {@code /q/metrics} show them on the next tick, per worker divided by
 * the worker processes the stack runs.
 */
class SchedulerIT {

    private static final String DEV_KEY = "scheduler-it-key";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Process stack;
    private static String base;

    @BeforeAll
    static void startTheStack() throws IOException {
        int port = Ports.free();
        base = "http://127.0.0.1:" + port;
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspillway.local.worker-jar=" + System.getProperty("spillway.local.worker-jar"),
                "-Dspillway.scheduler.local-interval=PT1S",
                // a worker that polls nothing: killing it no longer works, the stack would start another
                "-Dspillway.local.worker.spillway.worker.enabled=false",
                "-jar", System.getProperty("spillway.local.app-jar"))
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "scheduler-it.log").toFile());
        builder.environment().put("SPILLWAY_PORT", Integer.toString(port));
        builder.environment().put("SPILLWAY_DEV_KEY", DEV_KEY);
        builder.environment().put("SPILLWAY_WORKERS", "2");
        builder.environment().put("SPILLWAY_DATA_DIR",
                Files.createTempDirectory(Path.of("target"), "scheduler-it-data").toString());
        builder.environment().remove("SPILLWAY_GGUF");
        builder.environment().remove("SPILLWAY_UPSTREAM_BASE_URL");
        builder.environment().remove("SPILLWAY_DIRECT_BASE_URL");
        stack = builder.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get("/v1/models").statusCode() == 200);
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        if (stack != null) {
            List<ProcessHandle> children = stack.descendants().toList();
            stack.destroy();
            if (!stack.waitFor(60, TimeUnit.SECONDS)) {
                stack.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void queuedRequests_showAsTheBacklogGauges_perRunningWorker_onTheNextTick() throws Exception {
        // GIVEN the stack's two workers poll nothing (started with spillway.worker.enabled=false), so nothing takes
        // messages off the queue
        await().atMost(Duration.ofSeconds(60)).until(() -> liveWorkerProcesses() == 2);
        // WHEN four requests spill to the interactive queue (the dev key's tier)
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> accepted = post("{\"model\":\"spillway-tiny\",\"max_tokens\":4,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"backlog " + i + "\"}]}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        }

        // THEN a tick later /q/metrics shows them: as the backlog, and per worker process running
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String metrics = get("/q/metrics").body();
            assertThat(metrics).contains("spillway_queue_backlog{fleet=\"shared\",tier=\"interactive\"} 4.0")
                    .contains("spillway_queue_backlog_per_worker{fleet=\"shared\",tier=\"interactive\"} 2.0")
                    .contains("spillway_queue_backlog{fleet=\"shared\",tier=\"batch\"} 0.0")
                    .contains("spillway_scheduler_tasks_total{outcome=\"ok\",task=\"backlog\"}")
                    .contains("spillway_scheduler_tasks_total{outcome=\"ok\",task=\"reaper\"}")
                    .contains("spillway_scheduler_tasks_total{outcome=\"ok\",task=\"warm-up\"}")
                    .contains("spillway_scheduler_tasks_total{outcome=\"ok\",task=\"arrivals\"}")
                    .contains("spillway_scheduler_tasks_total{outcome=\"ok\",task=\"forecast\"}");
        });
    }

    /** The stack's worker processes (children running the worker's jar) that are alive. */
    private static long liveWorkerProcesses() {
        String workerJar = System.getProperty("spillway.local.worker-jar");
        return stack.children().filter(ProcessHandle::isAlive)
                .filter(child -> child.info().commandLine().orElse("").contains(workerJar)).count();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + DEV_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + DEV_KEY)
                .header("Prefer", "wait=0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
