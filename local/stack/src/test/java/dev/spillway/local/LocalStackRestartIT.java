package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged local stack survives what kills processes: its worker dying (the stack starts another, as ECS
 * would) and the whole stack being killed (a new one on the same data folder finishes the jobs it had accepted).
 * The stack left running by the first test serves the next, so the suite starts as few JVMs as it can.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEV_KEY = "restart-it-key";
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Pattern BACKLOG_GAUGE = Pattern.compile("(?m)^spillway_queue_backlog\\{fleet=\"shared\",tier=\"[a-z]+\"\\} ([0-9.]+)$");
    /** A stack whose worker serves jobs, kept for the next test. */
    private static PackagedStack running;

    @AfterAll
    static void stopTheStack() {
        if (running != null) {
            running.close();
        }
    }

    private static PackagedStack runningStack() throws Exception {
        if (running == null) {
            running = PackagedStack.start(Files.createTempDirectory(Path.of("target"), "restart-it-data"),
                    Files.createTempDirectory(Path.of("target"), "restart-it-files"), DEV_KEY,
                    Path.of("target", "restart-it-worker.log"));
        }
        return running;
    }

    /** The crash tests' data folder, jobs and CLI key, carried from the first to the second. */
    private static Path crashData;
    private static Path crashFiles;
    private static final List<String> ACCEPTED_BEFORE_CRASH = new ArrayList<>();
    private static String cliKey;

    @Test
    @Order(1)
    void killedStack_restartedOnItsDataDir_stillHasTheAcceptedJobsQueued() throws Exception {
        // GIVEN a stack whose worker polls nothing (as if every task were busy), a key made with the CLI, and jobs
        // it has accepted, all still queued
        crashData = Files.createTempDirectory(Path.of("target"), "crash-it-data");
        crashFiles = Files.createTempDirectory(Path.of("target"), "crash-it-files");
        PackagedStack first = heldBackStack(Path.of("target", "crash-it-before.log"));
        try {
            cliKey = createKeyWithTheCli(first.keysEndpoint());
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> accepted = first.submitJob("accepted before the crash " + i);
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                ACCEPTED_BEFORE_CRASH.add(accepted.headers().firstValue("Location").orElseThrow());
            }
            for (String job : ACCEPTED_BEFORE_CRASH) {
                assertThat(status(first, job)).isEqualTo("queued");
            }
        } finally {
            // WHEN the stack and all its processes are killed
            first.crash();
        }

        // THEN a new stack on the same data folder (new ports) finds every message in its tier queues
        PackagedStack second = heldBackStack(Path.of("target", "crash-it-between.log"));
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> queuedMessages(second), count -> count == ACCEPTED_BEFORE_CRASH.size());
        } finally {
            second.crash();
        }
    }

    /** Visible messages in all tier queues, as the scheduler's backlog gauges last measured them. */
    private static double queuedMessages(PackagedStack stack) throws Exception {
        Matcher gauge = BACKLOG_GAUGE.matcher(stack.get("/q/metrics").body());
        double total = 0;
        while (gauge.find()) {
            total += Double.parseDouble(gauge.group(1));
        }
        return total;
    }

    private static PackagedStack heldBackStack(Path log) {
        return PackagedStack.start(crashData, crashFiles, DEV_KEY, log,
                "spillway.local.worker.spillway.worker.enabled=false", "spillway.scheduler.local-interval=PT1S");
    }

    /**
     * The crash of the test above loses nothing: the DynamoDB emulator replays its journal from the data folder (jobs
     * and the CLI's key) and ElasticMQ restores the queued messages, so a stack with a working worker finishes every
     * job accepted before the crash.
     */
    @Test
    @Order(2)
    void killedStack_restartedOnItsDataDir_finishesEveryAcceptedJobAndKeepsItsKeys() throws Exception {
        // GIVEN the jobs and the key of the killed stack above (its data folder)
        assertThat(ACCEPTED_BEFORE_CRASH).as("the test above ran first").hasSize(5);

        // WHEN a stack with a working worker starts on that data folder
        running = PackagedStack.start(crashData, crashFiles, DEV_KEY, Path.of("target", "crash-it-after.log"));

        // THEN every job accepted before the crash completes, and the CLI's key still opens the API
        for (String job : ACCEPTED_BEFORE_CRASH) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> status(running, job),
                    "succeeded"::equals);
        }
        assertThat(running.get("/v1/models", cliKey).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void withoutAnInstalledRedis_runsTheBundledRedisServer() throws Exception {
        // GIVEN a stack started with no redis-server on its PATH (see PackagedStack)
        PackagedStack stack = runningStack();

        // THEN it runs the binary bundled in embedded-redis, extracted under the temporary folder
        Path bundledFolder = Path.of(System.getProperty("java.io.tmpdir"));
        assertThat(stack.descendants()).anySatisfy(child -> assertThat(child.info().command().orElse(""))
                .startsWith(bundledFolder.resolve("spillway-redis-").toString()).endsWith("/redis-server"));
        assertThat(stack.log()).contains("Redis redis://127.0.0.1:").doesNotContain("no redis-server");
    }

    @Test
    @Order(4)
    void killedWorker_isReplacedAndAQueuedJobStillCompletes() throws Exception {
        // GIVEN a running stack and its worker
        PackagedStack stack = runningStack();
        long worker = stack.workerPids().get(stack.workerPids().size() - 1);
        ProcessHandle handle = ProcessHandle.of(worker).orElseThrow();

        // WHEN the worker is killed, and a job comes in while no worker runs
        handle.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !handle.isAlive());
        HttpResponse<String> accepted = stack.submitJob("accepted while the worker is dead");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String job = accepted.headers().firstValue("Location").orElseThrow();

        // THEN the stack says so, starts a new worker, and the job completes on it
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.workerPids().get(stack.workerPids().size() - 1) != worker);
        assertThat(stack.log()).contains("worker (pid " + worker + ") exited unexpectedly with code 137");
        long replacement = stack.workerPids().get(stack.workerPids().size() - 1);
        assertThat(ProcessHandle.of(replacement)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> status(stack, job),
                "succeeded"::equals);
    }

    @Test
    @Order(5)
    void stoppedStack_doesNotRestartItsWorker() throws Exception {
        // GIVEN a running stack and its worker
        PackagedStack stack = runningStack();
        int pidsBefore = stack.workerPids().size();
        long deathsBefore = unexpectedExits(stack);
        ProcessHandle worker = ProcessHandle.of(stack.workerPids().get(pidsBefore - 1)).orElseThrow();

        // WHEN it is stopped as with Ctrl-C
        stack.close();
        running = null;

        // THEN the worker drained and exited, and no new one was started
        assertThat(worker.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(stack.log()).contains("drained");
        assertThat(unexpectedExits(stack)).isEqualTo(deathsBefore);
        assertThat(stack.workerPids()).hasSize(pidsBefore);
    }

    private static long unexpectedExits(PackagedStack stack) {
        return stack.log().lines().filter(line -> line.contains("exited unexpectedly")).count();
    }

    private static String createKeyWithTheCli(String endpoint) throws Exception {
        Path repo = Path.of(System.getProperty("spillway.local.repo-dir"));
        Process create = new ProcessBuilder(repo.resolve("local/api-keys").toString(), "create", "--tenant",
                "crash-tenant", "--endpoint", endpoint).directory(repo.toFile()).redirectErrorStream(true).start();
        String output = new String(create.getInputStream().readAllBytes());
        assertThat(create.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(create.exitValue()).as(output).isZero();
        return output.lines().filter(line -> line.startsWith("sk-spillway-")).findFirst().orElseThrow();
    }

    private static String status(PackagedStack stack, String location) throws Exception {
        HttpResponse<String> job = stack.get(location);
        return job.statusCode() == 200 ? JSON.readTree(job.body()).path("status").asText() : "http " + job.statusCode();
    }
}
