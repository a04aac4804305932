package dev.spillway.functions.events;

import static dev.spillway.functions.events.EventsFixture.JSON;
import static dev.spillway.functions.events.EventsFixture.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.Usage;
import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.BatchIds;
import dev.spillway.core.batch.BatchService;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.batch.BatchView;
import dev.spillway.core.batch.webhook.BatchWebhooksTask;
import dev.spillway.core.job.BatchLine;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.core.webhook.WebhookSignatures;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Batch webhooks, delivered by the scheduler's {@code batch-webhooks} task on real emulators to a real loopback
 * receiver: one signed POST of the batch object once the batch is final, recorded on the batch. The workers' part
 * is played through the real job store (claim, succeed), as a worker does it.
 */
@QuarkusTest
@TestProfile(BatchWebhookTest.SchedulerFunction.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
class BatchWebhookTest {

    /** The function as the scheduler Lambda runs it. */
    public static class SchedulerFunction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "scheduler");
        }
    }

    /** {@code %test.spillway.webhooks.signing-secret} of this module. */
    private static final String MASTER_SECRET = "test-master-secret";
    private static final String TENANT = "batch-tenant";

    @Inject
    BatchStore batches;
    @Inject
    BatchService batchService;
    @Inject
    JobStore jobs;
    @Inject
    BatchWebhooksTask task;

    Receiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void batchWhoseJobsAllSucceed_isPostedOnceSignedAndRecorded_onASchedulerTick() throws Exception {
        // GIVEN a batch with a callback whose two jobs a worker finished
        Batch batch = acceptedBatch(receiver.url("/hooks/batches?source=test"), 2);
        finishAll(batch);

        // WHEN EventBridge's tick reaches the scheduler function
        JsonNode report = JSON.readTree(invoke(fixture("events/scheduled-event.json"))
                .then().statusCode(200).extract().asString());

        // THEN the task ran and the batch object went out once, signed for the tenant
        assertThat(report.path("outcomes").path("batch-webhooks").asText()).isEqualTo("ok");
        assertThat(receiver.received()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/hooks/batches?source=test");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("Spillway-Event")).isEqualTo("batch.completed");
            assertThat(request.header("Spillway-Webhook-Id")).isEqualTo("whk_" + batch.id() + "_completed");
            assertThat(request.header("Spillway-Webhook-Attempt")).isEqualTo("1");
            String signature = request.header("Spillway-Signature");
            assertThat(signature).startsWith("t=" + request.header("Spillway-Webhook-Timestamp") + ",v1=");
            assertThat(WebhookSignatures.verify(WebhookSignatures.tenantSecret(MASTER_SECRET, TENANT), signature,
                    request.body(), Instant.now().getEpochSecond(), 300)).isTrue();
            assertThat(WebhookSignatures.verify(WebhookSignatures.tenantSecret(MASTER_SECRET, "another-tenant"),
                    signature, request.body(), Instant.now().getEpochSecond(), 300)).isFalse();
            JsonNode view = JSON.readTree(request.body());
            assertThat(view.path("id").asText()).isEqualTo(batch.id());
            assertThat(view.path("object").asText()).isEqualTo("batch");
            assertThat(view.path("status").asText()).isEqualTo("completed");
            assertThat(view.path("request_counts").path("completed").asInt()).isEqualTo(2);
            assertThat(view.path("output_file_id").asText()).isNotEmpty();
            assertThat(view.path("webhook").path("url").asText()).isEqualTo(receiver.url("/hooks/batches?source=test"));
        });
        // recorded on the batch, shown on its view, and off the open list
        WebhookDelivery delivery = batches.find(batch.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.lastStatus()).isEqualTo(200);
        assertThat(delivery.deliveredAt()).isNotNull();
        BatchView view = view(batch.id());
        assertThat(view.webhook().status()).isEqualTo("delivered");
        assertThat(view.webhook().lastHttpStatus()).isEqualTo(200);
        assertThat(view.webhook().deliveredAt()).isNotNull();
        assertThat(batches.openCallbackIds()).doesNotContain(batch.id());
    }

    @Test
    void taskRunTwiceAndConcurrently_postsOnce() throws Exception {
        // GIVEN a completed batch with a callback
        Batch batch = acceptedBatch(receiver.url("/once"), 3);
        finishAll(batch);

        // WHEN two ticks run the task at the same moment, and a third one later
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    task.run(Instant.now());
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        task.run(Instant.now());

        // THEN the receiver got exactly one POST, recorded as one attempt
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.connections()).isEqualTo(1);
        WebhookDelivery delivery = batches.find(batch.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(1);
    }

    @Test
    void receiverFailingTwice_isDeliveredOnTheThirdAttempt() throws Exception {
        // GIVEN a receiver that fails twice, and a completed batch
        receiver.answering(500, 503);
        Batch batch = acceptedBatch(receiver.url("/flaky"), 1);
        finishAll(batch);

        // WHEN the task runs
        task.run(Instant.now());

        // THEN three attempts of the same webhook, the third delivered
        assertThat(receiver.received()).extracting(r -> r.header("Spillway-Webhook-Attempt"))
                .containsExactly("1", "2", "3");
        assertThat(receiver.received()).extracting(r -> r.header("Spillway-Webhook-Id"))
                .containsOnly("whk_" + batch.id() + "_completed");
        WebhookDelivery delivery = batches.find(batch.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(3);
        assertThat(delivery.lastStatus()).isEqualTo(200);
        assertThat(delivery.lastError()).isNull();
    }

    @Test
    void batchStillInProgress_sendsNothing() throws Exception {
        // GIVEN a batch with one of its two jobs finished
        Batch batch = acceptedBatch(receiver.url("/early"), 2);
        List<Job> batchJobs = jobsOf(batch);
        finish(batchJobs.get(0));

        // WHEN the task runs
        task.run(Instant.now());

        // THEN nothing was sent; the batch stays listed with its webhook pending
        assertThat(receiver.connections()).isZero();
        assertThat(batches.find(batch.id()).orElseThrow().webhook()).isNull();
        assertThat(batches.openCallbackIds()).contains(batch.id());
        BatchView view = view(batch.id());
        assertThat(view.status()).isEqualTo("in_progress");
        assertThat(view.webhook().status()).isEqualTo("pending");
        assertThat(view.webhook().attempts()).isZero();
    }

    @Test
    void cancelledBatch_isPostedAsBatchCancelledOnce() throws Exception {
        // GIVEN a batch with one job finished and one still queued, whose client asked to cancel it
        Batch batch = acceptedBatch(receiver.url("/cancelled"), 2);
        finish(jobsOf(batch).get(0));
        batches.requestCancel(batch.id(), Instant.now());

        // WHEN the task runs on two ticks
        task.run(Instant.now());
        task.run(Instant.now());

        // THEN one batch.cancelled webhook; the queued job was stopped
        assertThat(receiver.received()).singleElement().satisfies(request -> {
            assertThat(request.header("Spillway-Event")).isEqualTo("batch.cancelled");
            assertThat(request.header("Spillway-Webhook-Id")).isEqualTo("whk_" + batch.id() + "_cancelled");
            JsonNode view = JSON.readTree(request.body());
            assertThat(view.path("status").asText()).isEqualTo("cancelled");
            assertThat(view.path("request_counts").path("completed").asInt()).isEqualTo(1);
        });
        assertThat(jobsOf(batch)).extracting(Job::status)
                .containsExactlyInAnyOrder(JobStatus.SUCCEEDED, JobStatus.CANCELLED);
        assertThat(batches.find(batch.id()).orElseThrow().webhook().state())
                .isEqualTo(WebhookDelivery.State.DELIVERED);
    }

    @Test
    void batchWithoutCallback_isNotListedAndHasNoWebhook() {
        Batch batch = acceptedBatch(null, 1);
        finishAll(batch);

        task.run(Instant.now());

        assertThat(batches.openCallbackIds()).doesNotContain(batch.id());
        assertThat(batches.find(batch.id()).orElseThrow().webhook()).isNull();
        assertThat(view(batch.id()).webhook()).isNull();
        assertThat(receiver.connections()).isZero();
    }

    /** A batch as {@code POST /v1/batches} leaves it: the record (listed when it has a callback), its jobs, accepted. */
    private Batch acceptedBatch(String callbackUrl, int size) {
        Instant now = Instant.now();
        Batch batch = Batch.creating(BatchIds.next(), TENANT, "/v1/chat/completions", "24h", Map.of(), size, now,
                now.plusSeconds(24 * 3600)).withCallbackUrl(callbackUrl);
        batches.create(batch);
        List<Job> batchJobs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ChatCompletionRequest request = new ChatCompletionRequest("test-model",
                    List.of(new ChatMessage("user", "line " + i, null)), null, null, null, null, null, null);
            batchJobs.add(Job.queued(JobIds.next(), TENANT, Tier.BATCH, request, null, now, batch.deadline())
                    .withBatchLine(new BatchLine(batch.id(), "req-" + i, i)));
        }
        assertThat(jobs.createAll(batchJobs)).isEmpty();
        batches.markAccepted(batch.id(), now);
        return batches.find(batch.id()).orElseThrow();
    }

    private List<Job> jobsOf(Batch batch) {
        List<Job> found = new ArrayList<>();
        batches.forEachJob(batch.id(), found::add);
        assertThat(found).hasSize(batch.total());
        return found;
    }

    private void finishAll(Batch batch) {
        jobsOf(batch).forEach(this::finish);
    }

    /** What a worker does: claim the job, then record its answer. */
    private void finish(Job job) {
        Instant now = Instant.now();
        assertThat(jobs.claim(job.id(), "test-worker", now, now.plusSeconds(60))).isPresent();
        ChatCompletion result = ChatCompletion.of("chatcmpl-" + job.id(), now.getEpochSecond(), "test-model",
                "answer", "stop", Usage.of(3, 1));
        assertThat(jobs.succeed(job.id(), "test-worker", result, now)).isPresent();
    }

    /** What {@code GET /v1/batches/{id}} answers. */
    private BatchView view(String batchId) {
        return BatchView.of(batchService.snapshot(batches.find(batchId).orElseThrow()));
    }

    private static String fixture(String path) throws IOException {
        try (InputStream in = BatchWebhookTest.class.getClassLoader().getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
