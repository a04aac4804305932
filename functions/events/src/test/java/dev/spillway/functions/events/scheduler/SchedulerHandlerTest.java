package dev.spillway.functions.events.scheduler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.auth.WarmUp;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.cache.warmup.redis.RedisHotSets;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The {@code scheduler} Lambda handler, invoked through the mock event server with an EventBridge scheduled event:
 * every task runs on real emulators, a failing one included, the backlog reaches CloudWatch as EMF lines, and the
 * warm-up task queues an opted-in tenant's hot prompt.
 */
@QuarkusTest
@TestProfile(SchedulerHandlerTest.SchedulerFunction.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
class SchedulerHandlerTest {

    /** The scheduler function as deployed (EMF on), with a task that always fails beside the real ones. */
    public static class SchedulerFunction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "scheduler", "spillway.metrics.emf.enabled", "true",
                    "spillway.test.broken-task", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    ApiKeyStore keys;
    @Inject
    RedisHotSets hotSets;
    @Inject
    RequestChecks checks;

    @BeforeEach
    void emptyQueues() {
        for (Tier tier : Tier.values()) {
            SpillwayTestResource.cloud().sqs()
                    .purgeQueue(b -> b.queueUrl(SpillwayTestResource.cloud().queueUrl(tier.wireName())));
        }
    }

    private Job queuedJob(Tier tier, Instant created, Instant deadline) {
        Job job = Job.queued(JobIds.next(), "tenant-a", tier, new ChatCompletionRequest("test-model",
                List.of(ChatMessage.of("user", "hi")), 0.0, null, 8, null, null, null), null, created, deadline);
        store.create(job);
        return job;
    }

    @Test
    void aScheduledEvent_runsEveryTask_despiteOneFailing() throws Exception {
        // GIVEN a job whose worker died two minutes ago, a job past its deadline, and three interactive messages
        Instant now = Instant.now();
        Job abandoned = queuedJob(Tier.STANDARD, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)));
        assertThat(store.claim(abandoned.id(), "dead-worker", now.minus(Duration.ofMinutes(3)),
                now.minus(Duration.ofMinutes(2)))).isPresent();
        Job overdue = queuedJob(Tier.BATCH, now.minus(Duration.ofHours(2)), now.minus(Duration.ofSeconds(1)));
        for (int i = 0; i < 3; i++) {
            queue.send(Fleets.SHARED, Tier.INTERACTIVE, JobIds.next());
        }
        int brokenRuns = BrokenTask.RUNS.get();

        // WHEN EventBridge's tick arrives
        List<String> stdout = new ArrayList<>();
        JsonNode report = whileCapturingStdout(stdout, () -> JSON.readTree(given()
                .port(ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class))
                .contentType(ContentType.JSON).body(fixture("events/scheduled-event.json"))
                .post("/")
                .then().statusCode(200).extract().asString()));

        // THEN each task ran and the broken one is reported without stopping the others
        assertThat(report.path("outcomes").path("backlog").asText()).isEqualTo("ok");
        assertThat(report.path("outcomes").path("reaper").asText()).isEqualTo("ok");
        assertThat(report.path("outcomes").path("broken").asText()).startsWith("failed: ")
                .contains("broken on purpose");
        assertThat(BrokenTask.RUNS.get()).isEqualTo(brokenRuns + 1);
        // the reaper returned the abandoned job to its queue and expired the overdue one
        assertThat(store.find(abandoned.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queue.receive(Fleets.SHARED, Tier.STANDARD, 10, Duration.ofSeconds(1), Duration.ofMinutes(5)))
                .extracting(QueuedMessage::jobId).containsExactly(abandoned.id());
        assertThat(store.find(overdue.id()).orElseThrow().status()).isEqualTo(JobStatus.EXPIRED);
        // the backlog went out as one EMF line per tier
        Map<String, JsonNode> backlog = emfLines(stdout, "Backlog", "Tier");
        assertThat(backlog).containsOnlyKeys("interactive", "standard", "batch");
        assertThat(backlog.get("interactive").path("Backlog").asLong()).isEqualTo(3);
        assertThat(backlog.get("interactive").path("_aws").path("CloudWatchMetrics").get(0).path("Namespace")
                .asText()).isEqualTo("Spillway");
        // and each task's run as its own EMF line, the failure counted
        Map<String, JsonNode> tasks = emfLines(stdout, "ScheduledTaskRuns", "Task");
        assertThat(tasks.get("broken").path("ScheduledTaskFailures").asLong()).isEqualTo(1);
        assertThat(tasks.get("reaper").path("ScheduledTaskFailures").asLong()).isZero();
        assertThat(tasks.get("backlog").path("ScheduledTaskFailures").asLong()).isZero();
    }

    @Test
    void aScheduledEvent_warmsTheHotPromptsOfAnOptedInTenant_asItsBatchJobs() throws Exception {
        // GIVEN a tenant whose key opted in to warm-up, with a hot prompt whose cache entry has expired
        String tenant = "warm-tenant-" + System.nanoTime();
        keys.put(new ApiKey(ApiKeys.hash(ApiKeys.generate()), tenant, Tier.INTERACTIVE, Set.of(), 0, 0,
                Instant.now(), null, WarmUp.jobsPerHour(5)));
        String body = "{\"model\":\"test-model\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hot " + System.nanoTime() + "\"}]}";
        String cacheKey = checks.check(IntakeRequest.noWait(new Caller(tenant, Tier.BATCH, null),
                body.getBytes(StandardCharsets.UTF_8), CachePolicy.DEFAULT, Tier.BATCH, null)).cacheKey();
        hotSets.record(tenant, cacheKey, body, Instant.now());
        hotSets.record(tenant, cacheKey, body, Instant.now());

        // WHEN EventBridge's tick arrives
        JsonNode report = JSON.readTree(given()
                .port(ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class))
                .contentType(ContentType.JSON).body(fixture("events/scheduled-event.json"))
                .post("/")
                .then().statusCode(200).extract().asString());

        // THEN the warm-up task queued the prompt as a batch job of that tenant, under the same cache key
        assertThat(report.path("outcomes").path("warm-up").asText()).isEqualTo("ok");
        List<QueuedMessage> batch = queue.receive(Fleets.SHARED, Tier.BATCH, 10, Duration.ofSeconds(1),
                Duration.ofMinutes(5));
        List<Job> warmed = batch.stream().map(message -> store.find(message.jobId()).orElseThrow())
                .filter(job -> job.tenant().equals(tenant)).toList();
        assertThat(warmed).singleElement().satisfies(job -> {
            assertThat(job.cacheKey()).isEqualTo(cacheKey);
            assertThat(job.tier()).isEqualTo(Tier.BATCH);
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        });
    }

    private interface Action<T> {
        T run() throws Exception;
    }

    private static <T> T whileCapturingStdout(List<String> lines, Action<T> action) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return action.run();
        } finally {
            System.setOut(console);
            lines.addAll(captured.toString(StandardCharsets.UTF_8).lines().toList());
            console.print(captured.toString(StandardCharsets.UTF_8));
        }
    }

    /** The EMF lines carrying {@code metric}, by the value of their {@code dimension}. */
    private static Map<String, JsonNode> emfLines(List<String> stdout, String metric, String dimension)
            throws IOException {
        Map<String, JsonNode> byDimension = new HashMap<>();
        for (String line : stdout) {
            if (!line.startsWith("{") || !line.contains("\"_aws\"")) {
                continue;
            }
            JsonNode event = JSON.readTree(line);
            if (event.has(metric)) {
                byDimension.put(event.path(dimension).asText(), event);
            }
        }
        return byDimension;
    }

    private static String fixture(String path) throws IOException {
        try (InputStream in = SchedulerHandlerTest.class.getClassLoader().getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
