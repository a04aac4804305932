package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.GrafanaDashboard;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.ScriptedUpstream;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The worker against real SQS (ElasticMQ) and DynamoDB (the DynamoDB emulator), fed the way the intake feeds it:
 * a QUEUED job in the table and its id on a tier queue.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, initArgs = {
        @ResourceArg(name = "visibilityTimeout", value = "3"), @ResourceArg(name = "maxReceiveCount", value = "3") },
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
class WorkerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;

    private static ScriptedUpstream upstream() {
        return ScriptedUpstreamResource.upstream();
    }

    private Job submit(String model, String content, Tier tier) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", tier, new ChatCompletionRequest(model,
                List.of(ChatMessage.of("user", content)), 0.0, null, 16, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, tier, job.id());
        return job;
    }

    private Job awaitStatus(String id, JobStatus status) {
        return await().atMost(PATIENCE).until(() -> store.find(id).orElseThrow(), job -> job.status() == status);
    }

    private static int messagesLeft(String queueName) {
        LocalCloud cloud = SpillwayTestResource.cloud();
        Map<QueueAttributeName, String> attributes = cloud.sqs().getQueueAttributes(b -> b
                .queueUrl(cloud.queueUrl(queueName))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void manyConcurrentJobs_allCompleteEachWithExactlyOneResult() {
        // GIVEN 30 jobs spread over the three tiers
        List<Job> jobs = new ArrayList<>();
        IntStream.range(0, 30).forEach(i -> jobs.add(submit("scripted", "many " + i, Tier.values()[i % 3])));

        // THEN every one succeeds, with its own answer, after exactly one engine call, and no message is left
        for (Job job : jobs) {
            Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);
            String content = job.request().messages().get(0).content();
            assertThat(done.result().choices().get(0).message().content()).isEqualTo("echo: " + content);
            assertThat(done.result().usage().totalTokens()).isPositive();
            assertThat(done.attempts()).isEqualTo(1);
            assertThat(done.started()).isNotNull();
            assertThat(done.finished()).isAfterOrEqualTo(done.started());
            assertThat(upstream().calls(content)).isEqualTo(1);
        }
        await().atMost(PATIENCE).until(() -> messagesLeft("interactive") + messagesLeft("standard")
                + messagesLeft("batch") == 0);
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("spillway_jobs_total{outcome=\"succeeded\",tier=\"batch\"}")
                .contains("spillway_queue_wait_seconds_count{tier=\"interactive\"}")
                .contains("spillway_engine_latency_seconds_count{model=\"scripted\",outcome=\"ok\"}")
                .contains("spillway_tokens_generated_total{model=\"scripted\"}")
                .contains("spillway_batch_size_count{model=\"scripted\"}")
                .contains("spillway_engine_inflight_limit{model=\"scripted\"}");
    }

    @Test
    void metricsScrape_afterAJobRan_exportsEveryWorkerSeriesTheDashboardQueries() {
        // GIVEN a job the worker claimed, batched and ran through its engine
        Job job = submit("scripted", "graph me", Tier.INTERACTIVE);
        awaitStatus(job.id(), JobStatus.SUCCEEDED);

        // WHEN Prometheus scrapes the worker
        String scrape = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract()
                .asString();

        // THEN every worker series the Grafana dashboard graphs is in it
        assertThat(GrafanaDashboard.App.WORKER.queried()).isNotEmpty();
        assertThat(GrafanaDashboard.exportedSeries(scrape)).containsAll(GrafanaDashboard.App.WORKER.queried());
    }

    @Test
    void liveness_reportsThePollerUp() {
        io.restassured.RestAssured.given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'worker-poller' }.status", org.hamcrest.Matchers.equalTo("UP"));
    }

    @Test
    void openAiEngine_sendsTheJobsRequestAsTheClientWroteIt_andStoresTheAnswerAsTheServerGaveIt() throws Exception {
        // GIVEN a job whose request uses tools, JSON output, logprobs and a field no one knows yet
        String body = """
                {"model":"scripted","messages":[{"role":"user","content":"rich: spilled"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "tool_choice":"auto","response_format":{"type":"json_object"},"logprobs":true,"top_logprobs":2,
                 "seed":7,"presence_penalty":0.5,"thinking":{"type":"enabled"},"x_vendor_option":[1,2.5,null]}""";
        ObjectMapper json = new ObjectMapper();
        ChatCompletionRequest request = ChatCompletionRequest.of((ObjectNode) json.readTree(body));
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, request, null, now, now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());

        // WHEN the worker runs it
        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);

        // THEN the server received every field as sent
        assertThat(json.readTree(upstream().lastBody("rich: spilled"))).isEqualTo(json.readTree(body));
        // AND the stored result is the server's answer, every field kept, naming the model the client asked for
        ObjectNode expected = (ObjectNode) json.readTree(ScriptedUpstream.RICH_COMPLETION);
        expected.put("model", "scripted");
        assertThat(json.readTree(json.writeValueAsString(done.result()))).isEqualTo(expected);
        assertThat(done.result().usage().promptTokens()).isEqualTo(12);
    }

    @Test
    void openAiEngine_runsTextCompletionAndEmbeddingJobsOnTheirOwnPaths_andStoresTheServersAnswers() throws Exception {
        // GIVEN a FIM text-completion job and an embeddings job
        ObjectMapper json = new ObjectMapper();
        String fim = "{\"model\":\"scripted\",\"prompt\":\"spilled fim\",\"suffix\":\"end\",\"max_tokens\":8}";
        String embed = "{\"model\":\"scripted\",\"input\":[\"spilled embedding\"],\"dimensions\":2}";
        Job completion = submit(ChatCompletionRequest.of(RequestKind.COMPLETION, (ObjectNode) json.readTree(fim)));
        Job embedding = submit(ChatCompletionRequest.of(RequestKind.EMBEDDING, (ObjectNode) json.readTree(embed)));

        // WHEN the worker runs them
        Job completed = awaitStatus(completion.id(), JobStatus.SUCCEEDED);
        Job embedded = awaitStatus(embedding.id(), JobStatus.SUCCEEDED);

        // THEN each reached its endpoint as sent, and each result is that endpoint's answer
        assertThat(json.readTree(upstream().lastBody("spilled fim"))).isEqualTo(json.readTree(fim));
        assertThat(completed.result().object()).isEqualTo("text_completion");
        assertThat(completed.result().json().path("choices").path(0).path("text").asText())
                .isEqualTo("echo: spilled fim");
        assertThat(json.readTree(upstream().lastBody("spilled embedding"))).isEqualTo(json.readTree(embed));
        assertThat(embedded.result().object()).isEqualTo("list");
        assertThat(embedded.result().json().path("data").path(0).path("embedding")).hasSize(2);
        assertThat(embedded.result().model()).isEqualTo("scripted");
    }

    @Test
    void embeddedEngine_answersATextCompletionJobWithATextCompletion() throws Exception {
        Job job = submit(ChatCompletionRequest.of(RequestKind.COMPLETION, (ObjectNode) new ObjectMapper().readTree(
                "{\"model\":\"tiny\",\"prompt\":\"Once upon a time\",\"max_tokens\":4}")));

        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);

        assertThat(done.result().object()).isEqualTo("text_completion");
        assertThat(done.result().json().path("choices").path(0).has("text")).isTrue();
        assertThat(done.result().usage().completionTokens()).isBetween(1, 4);
    }

    private Job submit(ChatCompletionRequest request) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, request, null, now, now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());
        return job;
    }

    @Test
    void embeddedEngine_producesACompletionWithTokenCounts() {
        Job job = submit("tiny", "Hello, tiny model", Tier.INTERACTIVE);

        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);

        assertThat(done.result().object()).isEqualTo("chat.completion");
        assertThat(done.result().usage().promptTokens()).isPositive();
        assertThat(done.result().usage().completionTokens()).isBetween(1, 16);
        assertThat(done.result().choices().get(0).finishReason()).isIn("stop", "length");
    }

    @Test
    void duplicateDeliveryOfAFinishedJob_changesNothing() {
        // GIVEN a finished job
        Job job = submit("scripted", "only once", Tier.STANDARD);
        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);

        // WHEN SQS delivers its message again
        queue.send(Fleets.SHARED, Tier.STANDARD, job.id());

        // THEN the duplicate is consumed without running the engine or touching the result
        await().atMost(PATIENCE).until(() -> messagesLeft("standard") == 0);
        Job after = store.find(job.id()).orElseThrow();
        assertThat(after.finished()).isEqualTo(done.finished());
        assertThat(after.result()).isEqualTo(done.result());
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(upstream().calls("only once")).isEqualTo(1);
    }

    @Test
    void jobCancelledBeforePickup_isSkippedAndItsMessageDeleted() {
        // GIVEN a job cancelled before any worker saw it (its message is held back a moment)
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.BATCH, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", "cancelled early")), null, null, null, null, null, null), null, now,
                now.plusSeconds(3600));
        store.create(job);
        assertThat(store.cancel(job.id(), "default", now)).isPresent();
        queue.send(Fleets.SHARED, Tier.BATCH, job.id());

        // THEN the worker drops the message and never runs the engine
        await().atMost(PATIENCE).until(() -> messagesLeft("batch") == 0);
        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(upstream().calls("cancelled early")).isZero();
    }

    @Test
    void jobExpiredInTheQueue_isNeverRunAndItsMessageDeleted() {
        // GIVEN a job the reaper expired past its deadline while its message still waited in the queue
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.BATCH, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", "expired in the queue")), null, null, null, null, null, null), null,
                now.minusSeconds(3600), now.minusSeconds(1));
        store.create(job);
        assertThat(store.expire(job.id(), now)).isTrue();
        queue.send(Fleets.SHARED, Tier.BATCH, job.id());

        // THEN the worker's claim is refused: it drops the message and never runs the engine
        await().atMost(PATIENCE).until(() -> messagesLeft("batch") == 0);
        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(upstream().calls("expired in the queue")).isZero();
    }

    @Test
    void jobCancelledWhileRunning_keepsCancelledAndTheResultIsDropped() {
        // GIVEN a job the engine is working on
        Job job = submit("scripted", "hold cancel-while-running", Tier.INTERACTIVE);
        awaitStatus(job.id(), JobStatus.RUNNING);
        await().atMost(PATIENCE).until(() -> upstream().calls("hold cancel-while-running") == 1);

        // WHEN the client cancels and the engine then finishes
        assertThat(store.cancel(job.id(), "default", Instant.now())).isPresent();
        upstream().releaseHeld();

        // THEN the job stays cancelled, with no result, and its message is gone
        await().atMost(PATIENCE).until(() -> messagesLeft("interactive") == 0);
        Job after = store.find(job.id()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(after.result()).isNull();
    }

    @Test
    void jobLongerThanTheVisibilityTimeout_keepsItsMessageAndLeaseUntilDone() {
        // GIVEN visibility timeout and lease of 3 s, renewed every second
        // WHEN a job runs for 7 s
        Job job = submit("scripted", "sleep:7000 a long generation", Tier.INTERACTIVE);

        // THEN no other slot took it over: one attempt, one engine call
        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(upstream().calls("sleep:7000 a long generation")).isEqualTo(1);
        assertThat(Duration.between(done.started(), done.finished())).isGreaterThan(Duration.ofSeconds(6));
    }

    @Test
    void retryableEngineFailure_isRetriedAndSucceeds() {
        Job job = submit("scripted", "flaky:1 try again", Tier.INTERACTIVE);

        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);

        assertThat(done.attempts()).isEqualTo(2);
        assertThat(upstream().calls("flaky:1 try again")).isEqualTo(2);
    }

    @Test
    void permanentEngineFailure_failsTheJobWithAReadableReason() {
        Job job = submit("scripted", "fail:400 never valid", Tier.INTERACTIVE);

        Job failed = awaitStatus(job.id(), JobStatus.FAILED);

        assertThat(failed.error().message()).contains("scripted failure 400");
        assertThat(failed.error().status()).isEqualTo(400);
        assertThat(upstream().calls("fail:400 never valid")).isEqualTo(1);
    }

    @Test
    void modelWhoseEngineCannotStart_isRetriedThenFailsWithAReason() {
        // GIVEN a model configured with a GGUF file that does not exist
        Job job = submit("broken", "anyone there?", Tier.STANDARD);

        // THEN the job is not stuck RUNNING: it is retried, dead-lettered and failed with a readable reason
        Job failed = awaitStatus(job.id(), JobStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("delivery_attempts_exhausted");
        assertThat(failed.attempts()).isEqualTo(3);
    }

    @Test
    void poisonMessage_reachesTheDeadLetterQueueAndTheJobFails() {
        // GIVEN a job whose engine call always fails with a retryable error
        Job job = submit("scripted", "fail:503 always busy", Tier.STANDARD);

        // THEN after the queue's maxReceiveCount (3) attempts it is dead-lettered and marked FAILED
        Job failed = awaitStatus(job.id(), JobStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("delivery_attempts_exhausted");
        assertThat(failed.error().message()).contains("every delivery attempt failed");
        assertThat(upstream().calls("fail:503 always busy")).isEqualTo(3);
        await().atMost(PATIENCE).until(() -> messagesLeft("standard-dlq") == 0);
    }

    @Test
    void jobOfAWorkerThatDiedMidRun_isTakenOverOnceItsLeaseLapses() {
        // GIVEN a job claimed by a worker that then died (lease taken, never finished), and its message
        // delivered to the live worker
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", "orphaned by a crash")), null, null, null, null, null, null), null,
                now, now.plusSeconds(3600));
        store.create(job);
        assertThat(store.claim(job.id(), "crashed-worker", now, now.plusSeconds(2))).isPresent();
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());

        // THEN the live worker leaves it alone while the lease lives, then takes it over and completes it once
        Job done = awaitStatus(job.id(), JobStatus.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.leaseOwner()).isNull();
        assertThat(done.started()).isEqualTo(job.created().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(done.result().choices().get(0).message().content()).isEqualTo("echo: orphaned by a crash");
        assertThat(upstream().calls("orphaned by a crash")).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> messagesLeft("interactive") == 0);
    }
}
