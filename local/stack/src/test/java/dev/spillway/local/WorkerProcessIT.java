package dev.spillway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.job.dynamo.DynamoJobStore;
import dev.spillway.core.queue.sqs.SqsWorkQueue;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.Ports;
import dev.spillway.local.emulators.ScriptedUpstream;

/**
 * Real worker processes (the packaged gpu-backend) killed and drained while they hold a job. Whatever happens
 * to a worker, the job ends with exactly one result.
 */
class WorkerProcessIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static LocalCloud cloud;
    private static ScriptedUpstream upstream;
    private static DynamoJobStore store;
    private static SqsWorkQueue queue;
    private final List<WorkerProcess> workers = new java.util.ArrayList<>();

    @BeforeAll
    static void startCloud() {
        cloud = LocalCloud.start(LocalCloud.Options.forTests().withVisibilityTimeout(Duration.ofSeconds(4)));
        upstream = new ScriptedUpstream();
        ObjectMapper json = new ObjectMapper();
        store = new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(), Duration.ofDays(1), json);
        queue = new SqsWorkQueue(cloud.sqs(), queues(), json);
    }

    @AfterAll
    static void stopCloud() {
        upstream.close();
        cloud.close();
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(WorkerProcess::kill);
    }

    private WorkerProcess startWorker(String name, Duration drainGrace) {
        Map<String, String> config = new LinkedHashMap<>(cloud.config());
        config.put("quarkus.http.port", Integer.toString(Ports.free()));
        config.put("spillway.worker.id", name);
        config.put("spillway.worker.visibility-timeout", "PT4S");
        config.put("spillway.worker.lease", "PT4S");
        config.put("spillway.worker.heartbeat-interval", "PT1S");
        config.put("spillway.worker.drain-grace", drainGrace.toString());
        config.put("spillway.models.scripted.engine", "openai");
        config.put("spillway.models.scripted.base-url", upstream.baseUrl());
        WorkerProcess worker = WorkerProcess.start(Path.of(System.getProperty("spillway.local.worker-jar")), config,
                Path.of("target", "worker-" + name + ".log"));
        workers.add(worker);
        return worker;
    }

    private static Job submit(String content) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", content)), null, null, null, null, null, null), null, now,
                now.plusSeconds(3600));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());
        return job;
    }

    private static Job awaitJob(String id, java.util.function.Predicate<Job> condition) {
        return await().atMost(PATIENCE).until(() -> store.find(id).orElseThrow(), condition);
    }

    @Test
    void workerKilledMidJob_anotherWorkerCompletesItExactlyOnce() {
        // GIVEN worker A running a job the upstream is holding
        WorkerProcess a = startWorker("killed-a", Duration.ofSeconds(20));
        Job job = submit("hold killed mid-job");
        awaitJob(job.id(), j -> j.status() == JobStatus.RUNNING && "killed-a".equals(j.leaseOwner()));
        await().atMost(PATIENCE).until(() -> upstream.calls("hold killed mid-job") == 1);

        // WHEN A is killed with SIGKILL, and worker B is running
        a.kill();
        startWorker("survivor-b", Duration.ofSeconds(20));
        awaitJob(job.id(), j -> "survivor-b".equals(j.leaseOwner()));
        await().atMost(PATIENCE).until(() -> upstream.calls("hold killed mid-job") == 2);
        upstream.releaseHeld();

        // THEN B completes it once, on the second attempt
        Job done = awaitJob(job.id(), j -> j.status() == JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.result().choices().get(0).message().content()).isEqualTo("echo: hold killed mid-job");
    }

    @Test
    void workerDrainedWithSigterm_finishesWhatItHoldsWithinTheGrace() {
        // GIVEN a worker busy with a 2-second job
        WorkerProcess worker = startWorker("drained", Duration.ofSeconds(20));
        Job job = submit("sleep:2000 finish before leaving");
        awaitJob(job.id(), j -> j.status() == JobStatus.RUNNING);

        // WHEN it receives SIGTERM
        boolean exited = worker.terminate(40);

        // THEN it finished the job before exiting
        assertThat(exited).isTrue();
        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        // Its logs are JSON lines that carry the job and tenant they are about.
        assertThat(jsonLogLines("drained")).anySatisfy(line -> {
            assertThat(line.path("mdc").path("jobId").asText()).isEqualTo(job.id());
            assertThat(line.path("mdc").path("tenant").asText()).isEqualTo("default");
        });
    }

    @Test
    void workerDrainedWithSigterm_handsBackAJobThatOutlastsTheGrace() {
        // GIVEN a worker holding a job that will not finish within its 1-second drain grace
        WorkerProcess worker = startWorker("impatient", Duration.ofSeconds(1));
        Job job = submit("hold outlasts the grace");
        awaitJob(job.id(), j -> j.status() == JobStatus.RUNNING);
        await().atMost(PATIENCE).until(() -> upstream.calls("hold outlasts the grace") == 1);

        // WHEN it is told to stop
        assertThat(worker.terminate(40)).isTrue();

        // THEN the job is back in the queue at once, and another worker completes it
        Job released = store.find(job.id()).orElseThrow();
        assertThat(released.status()).isEqualTo(JobStatus.QUEUED);
        startWorker("next", Duration.ofSeconds(20));
        await().atMost(PATIENCE).until(() -> upstream.calls("hold outlasts the grace") == 2);
        upstream.releaseHeld();
        Job done = awaitJob(job.id(), j -> j.status() == JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(Optional.ofNullable(done.leaseOwner())).isEmpty();
    }

    private static List<com.fasterxml.jackson.databind.JsonNode> jsonLogLines(String worker) {
        ObjectMapper json = new ObjectMapper();
        try (var lines = java.nio.file.Files.lines(Path.of("target", "worker-" + worker + ".log"))) {
            return lines.filter(line -> line.startsWith("{")).map(line -> {
                try {
                    return json.readTree(line);
                } catch (Exception e) {
                    throw new IllegalStateException("not a JSON log line: " + line, e);
                }
            }).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Fleets queues() {
        return Fleets.shared(new Fleets.Queues(tier("interactive"), tier("standard"), tier("batch")));
    }

    private static Fleets.Urls tier(String name) {
        return new Fleets.Urls(cloud.queueUrl(name), Optional.of(cloud.queueUrl(name + "-dlq")));
    }
}
