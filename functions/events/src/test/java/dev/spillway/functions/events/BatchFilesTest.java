package dev.spillway.functions.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.BatchService;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.batch.BatchView;
import dev.spillway.core.batch.files.BatchFileKeys;
import dev.spillway.core.batch.files.BatchFileOutputsTask;
import dev.spillway.core.batch.files.BatchFileProgress;
import dev.spillway.core.batch.files.BatchFileService;
import dev.spillway.core.batch.webhook.BatchWebhooksTask;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Batch files end to end: S3 notifications (raw event JSON, through the Lambda mock event server) to the
 * batch-files handler, against real S3 (s3proxy), the DynamoDB emulator and ElasticMQ. The worker's part is played
 * through the real job store, as a worker process does it; the scheduler's part by running the outputs task.
 */
@QuarkusTest
@TestProfile(BatchFilesProfile.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "s3", value = "true"))
class BatchFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "acme";
    private static final String BODY = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    @Inject
    ApiKeyStore keys;
    @Inject
    JobStore jobs;
    @Inject
    BatchStore batches;
    @Inject
    BatchService batchService;
    @Inject
    BatchFileOutputsTask outputsTask;
    @Inject
    BatchFileService files;
    @Inject
    BatchWebhooksTask webhooksTask;

    @BeforeEach
    void tenantWithAKeyAndEmptyQueue() {
        keys.put(new ApiKey(ApiKeys.hash("sk-spillway-batch-files-tests-acme-key-000000000"), TENANT, Tier.BATCH,
                Set.of(), 0, 0, Instant.now(), null));
        cloud().sqs().purgeQueue(b -> b.queueUrl(cloud().queueUrl("batch")));
        ReadObserver.SEEN.clear();
    }

    private static LocalCloud cloud() {
        return SpillwayTestResource.cloud();
    }

    private static S3Client s3() {
        return cloud().s3().orElseThrow();
    }

    private static String line(String customId, String content) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + String.format(BODY, content) + "}";
    }

    /**
     * Uploads the file and returns its ETag. Tried twice: after a long test, s3proxy may have dropped the test
     * client's idle keep-alive connection, which the URL-connection client reports rather than retries.
     */
    private static String upload(String key, String content) {
        return upload(key, content, Map.of());
    }

    private static String upload(String key, String content, Map<String, String> metadata) {
        try {
            return s3().putObject(b -> b.bucket(cloud().filesBucket()).key(key).metadata(metadata),
                    RequestBody.fromString(content, StandardCharsets.UTF_8)).eTag();
        } catch (UncheckedIOException | software.amazon.awssdk.core.exception.SdkClientException staleConnection) {
            return s3().putObject(b -> b.bucket(cloud().filesBucket()).key(key).metadata(metadata),
                    RequestBody.fromString(content, StandardCharsets.UTF_8)).eTag();
        }
    }

    /** Uploads the file with a callback URL in its user metadata ({@code x-amz-meta-spillway-callback-url}). */
    private static String uploadWithCallback(String key, String content, String callbackUrl) {
        return upload(key, content, Map.of(BatchFileService.CALLBACK_METADATA, callbackUrl));
    }

    private static String fixture(String name, String key, String etag) {
        try (InputStream in = BatchFilesTest.class.getResourceAsStream("/events/" + name)) {
            long size = s3().headObject(b -> b.bucket(cloud().filesBucket()).key(key)).contentLength();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{bucket}}", cloud().filesBucket())
                    .replace("{{key}}", key)
                    .replace("{{outputKey}}", key.replace(".jsonl", ".output.jsonl"))
                    .replace("{{etag}}", etag.replace("\"", ""))
                    .replace("{{size}}", Long.toString(size));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Delivers the event to the function, as Lambda does. */
    private static Response deliver(String event) {
        int port = ConfigProvider.getConfig().getValue("quarkus.lambda.mock-event-server.test-port", Integer.class);
        return given().port(port).body(event).post("/");
    }

    private static JsonNode deliverOk(String event) {
        Response response = deliver(event);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        try {
            return JSON.readTree(response.asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Job> jobsByCustomId(String batchId) {
        Map<String, Job> byCustomId = new HashMap<>();
        List<Job> all = new ArrayList<>();
        batches.forEachJob(batchId, all::add);
        all.forEach(job -> byCustomId.put(job.batchLine().customId(), job));
        assertThat(byCustomId).as("custom_ids are unique among the batch's jobs").hasSameSizeAs(all);
        return byCustomId;
    }

    private static int batchQueueMessages() {
        Map<QueueAttributeName, String> attributes = cloud().sqs().getQueueAttributes(b -> b
                .queueUrl(cloud().queueUrl("batch"))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Job ids of every message on the batch queue (each received once; they stay invisible afterwards). */
    private static List<String> drainBatchQueue() {
        List<String> ids = new ArrayList<>();
        while (true) {
            List<Message> messages = cloud().sqs().receiveMessage(b -> b.queueUrl(cloud().queueUrl("batch"))
                    .maxNumberOfMessages(10).waitTimeSeconds(0).visibilityTimeout(300)).messages();
            if (messages.isEmpty()) {
                return ids;
            }
            for (Message message : messages) {
                try {
                    ids.add(JSON.readTree(message.body()).get("job").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static List<JsonNode> readJsonLines(String key) {
        String text = s3().getObjectAsBytes(b -> b.bucket(cloud().filesBucket()).key(key)).asUtf8String();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            try {
                lines.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    private static boolean exists(String key) {
        try {
            s3().headObject(b -> b.bucket(cloud().filesBucket()).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void succeed(Job job, String answer) {
        Instant now = Instant.now();
        assertThat(jobs.claim(job.id(), "test-worker", now, now.plusSeconds(60))).isPresent();
        assertThat(jobs.succeed(job.id(), "test-worker", ChatCompletion.of("chatcmpl-" + job.id(),
                now.getEpochSecond(), job.model(), answer, "stop", Usage.of(3, 2)), now)).isPresent();
    }

    private void fail(Job job) {
        Instant now = Instant.now();
        assertThat(jobs.claim(job.id(), "test-worker", now, now.plusSeconds(60))).isPresent();
        assertThat(jobs.fail(job.id(), "test-worker", JobError.server("upstream_error", "The upstream failed."), now))
                .isPresent();
    }

    @Test
    void fileWithGoodAndBadLines_queuesOnlyTheGoodOnes_andWritesItsResultFilesOnceItEnds() {
        // GIVEN a file whose lines are good, malformed, duplicated, misdirected or for an unknown model
        String key = "batches/acme/mixed.jsonl";
        String content = String.join("\n",
                line("a", "first"),                                                          // 1
                "{\"custom_id\":\"broken\",\"method\":",                                    // 2 bad JSON
                "",                                                                          // 3 blank
                "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":" + String.format(BODY, "x") + "}", // 4
                line("b", "second"),                                                         // 5
                line("a", "again"),                                                          // 6 duplicate
                line("wrong-url", "x").replace("/v1/chat/completions", "/v1/embeddings"),     // 7
                line("wrong-method", "x").replace("\"POST\"", "\"GET\""),                    // 8
                "{\"custom_id\":\"empty\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                        + "{\"model\":\"test-model\",\"messages\":[]}}",                    // 9 invalid body
                line("unknown-model", "x").replace("test-model", "gpt-17"),                  // 10
                line("c", "third")) + "\n";                                                  // 11
        String etag = upload(key, content);

        // WHEN S3 reports it
        JsonNode report = deliverOk(fixture("s3-object-created.json", key, etag)).get("records").get(0);

        // THEN a batch holds jobs for the three good lines only, each queued once
        assertThat(report.get("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(report.get("jobs").asInt()).isEqualTo(3);
        assertThat(report.get("rejected").asInt()).isEqualTo(7);
        String batchId = report.get("batchId").asText();
        Map<String, Job> byCustomId = jobsByCustomId(batchId);
        assertThat(byCustomId.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(byCustomId.values()).allSatisfy(job -> {
            assertThat(job.tier()).isEqualTo(Tier.BATCH);
            assertThat(job.tenant()).isEqualTo(TENANT);
        });
        assertThat(byCustomId.get("a").request().messages().get(0).content()).isEqualTo("first");
        assertThat(drainBatchQueue()).containsExactlyInAnyOrderElementsOf(
                byCustomId.values().stream().map(Job::id).toList());
        Batch batch = batches.find(batchId).orElseThrow();
        assertThat(batch.tenant()).isEqualTo(TENANT);
        assertThat(batch.total()).isEqualTo(3);
        assertThat(batch.file().rejected()).isEqualTo(7);

        // WHEN the task runs while jobs are still queued THEN nothing is written yet
        outputsTask.run(Instant.now());
        assertThat(exists("batches/acme/mixed.output.jsonl")).isFalse();
        assertThat(exists("batches/acme/mixed.errors.jsonl")).isFalse();
        assertThat(batches.find(batchId).orElseThrow().file().outputsWritten()).isNull();

        // WHEN the jobs end (one succeeds, one fails, one is cancelled) and the task runs
        succeed(byCustomId.get("a"), "answer a");
        fail(byCustomId.get("b"));
        assertThat(jobs.cancel(byCustomId.get("c").id(), TENANT, Instant.now())).isPresent();
        outputsTask.run(Instant.now());

        // THEN the output file holds the success, next to the input
        List<JsonNode> output = readJsonLines("batches/acme/mixed.output.jsonl");
        assertThat(output).hasSize(1);
        assertThat(output.get(0).get("custom_id").asText()).isEqualTo("a");
        assertThat(output.get(0).at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(output.get(0).at("/response/body/choices/0/message/content").asText()).isEqualTo("answer a");
        // AND the error file every other line, in line order, the rejected ones with their line numbers
        List<JsonNode> errors = readJsonLines("batches/acme/mixed.errors.jsonl");
        assertThat(errors).extracting(node -> node.at("/error/line").isMissingNode() ? null
                : node.at("/error/line").asLong()).containsExactly(2L, 4L, null, 6L, 7L, 8L, 9L, 10L, null);
        assertThat(errors).extracting(node -> node.get("custom_id").isNull() ? null : node.get("custom_id").asText())
                .containsExactly(null, null, "b", "a", "wrong-url", "wrong-method", "empty", "unknown-model", "c");
        assertThat(errors).extracting(node -> node.at("/error/code").asText(null)).containsExactly(
                "invalid_json", "missing_required_parameter", null, "duplicate_custom_id", "invalid_value",
                "invalid_value", "empty_array", "model_not_found", "request_cancelled");
        assertThat(errors.get(2).at("/response/status_code").asInt()).isEqualTo(502);
        // AND the batch links both files, and counts the rejected lines as failed requests
        Batch finished = batches.find(batchId).orElseThrow();
        assertThat(finished.file().outputsWritten()).isNotNull();
        BatchView view = BatchView.of(batchService.snapshot(finished));
        assertThat(view.status()).isEqualTo("completed");
        assertThat(view.inputFileId()).isEqualTo("s3://" + cloud().filesBucket() + "/" + key);
        assertThat(view.outputFileId()).isEqualTo("s3://" + cloud().filesBucket() + "/batches/acme/mixed.output.jsonl");
        assertThat(view.errorFileId()).isEqualTo("s3://" + cloud().filesBucket() + "/batches/acme/mixed.errors.jsonl");
        // (the cancelled request counts as neither completed nor failed, as for any batch)
        assertThat(view.requestCounts()).isEqualTo(new BatchView.RequestCounts(10, 1, 8));

        // WHEN the task runs again (late, or twice) THEN nothing is written a second time
        s3().deleteObject(b -> b.bucket(cloud().filesBucket()).key("batches/acme/mixed.output.jsonl"));
        outputsTask.run(Instant.now());
        assertThat(exists("batches/acme/mixed.output.jsonl")).isFalse();
    }

    @Test
    void replayedEvent_makesNoSecondBatchAndNoDuplicateJobs() {
        // GIVEN a file that was delivered once
        String key = "batches/acme/replayed.jsonl";
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            content.append(line("r" + i, "replay " + i)).append('\n');
        }
        String event = fixture("s3-object-created.json", key, upload(key, content.toString()));
        JsonNode first = deliverOk(event).get("records").get(0);
        assertThat(first.get("outcome").asText()).isEqualTo("ACCEPTED");

        // WHEN S3 delivers the same event again
        JsonNode second = deliverOk(event).get("records").get(0);

        // THEN it names the same batch and changes nothing
        assertThat(second.get("outcome").asText()).isEqualTo("ALREADY_ACCEPTED");
        assertThat(second.get("batchId").asText()).isEqualTo(first.get("batchId").asText());
        assertThat(jobsByCustomId(first.get("batchId").asText())).hasSize(5);
        assertThat(batchQueueMessages()).isEqualTo(5);
    }

    @Test
    void eventWithMalformedAndForeignRecords_reportsEachAndStillReadsTheGoodOne() {
        // GIVEN an event with a record without key, a delete, another bucket's object, one of our own result
        // files, and a batch input
        String key = "batches/acme/among-others.jsonl";
        String event = fixture("s3-mixed-records.json", key, upload(key, line("only", "one") + "\n"));

        // WHEN it is delivered
        JsonNode records = deliverOk(event).get("records");

        // THEN each record is reported, and only the input became a batch
        List<String> outcomes = new ArrayList<>();
        records.forEach(record -> outcomes.add(record.get("outcome").asText()));
        assertThat(outcomes).containsExactly("MALFORMED", "IGNORED", "IGNORED", "IGNORED", "ACCEPTED");
        assertThat(jobsByCustomId(records.get(4).get("batchId").asText())).containsOnlyKeys("only");
        assertThat(batchQueueMessages()).isEqualTo(1);
    }

    @Test
    void fileWithACallbackInItsMetadata_isPostedOnceItsResultFilesAreWritten() throws Exception {
        try (Receiver receiver = new Receiver()) {
            // GIVEN a file uploaded with a callback URL in its metadata, read into a batch
            String key = "batches/acme/with-callback.jsonl";
            String etag = uploadWithCallback(key, line("h1", "hello") + "\n", receiver.url("/file-batch"));
            JsonNode report = deliverOk(fixture("s3-object-created.json", key, etag)).get("records").get(0);
            assertThat(report.get("outcome").asText()).isEqualTo("ACCEPTED");
            String batchId = report.get("batchId").asText();
            assertThat(batches.find(batchId).orElseThrow().callbackUrl()).isEqualTo(receiver.url("/file-batch"));
            assertThat(batches.openCallbackIds()).contains(batchId);

            // WHEN the webhooks task runs while its job runs, and once it ended but before its result files exist
            webhooksTask.run(Instant.now());
            succeed(jobsByCustomId(batchId).get("h1"), "hello back");
            webhooksTask.run(Instant.now());

            // THEN nothing is sent yet
            assertThat(receiver.connections()).isZero();

            // WHEN the outputs task writes the result files and the webhooks task runs twice
            outputsTask.run(Instant.now());
            webhooksTask.run(Instant.now());
            webhooksTask.run(Instant.now());

            // THEN the batch object, naming its files, is POSTed once
            assertThat(receiver.received()).singleElement().satisfies(request -> {
                assertThat(request.header("Spillway-Event")).isEqualTo("batch.completed");
                JsonNode view = JSON.readTree(request.body());
                assertThat(view.path("id").asText()).isEqualTo(batchId);
                assertThat(view.path("status").asText()).isEqualTo("completed");
                assertThat(view.path("input_file_id").asText()).endsWith("/batches/acme/with-callback.jsonl");
                assertThat(view.path("output_file_id").asText())
                        .endsWith("/batches/acme/with-callback.output.jsonl");
            });
            assertThat(batches.find(batchId).orElseThrow().webhook().state())
                    .isEqualTo(WebhookDelivery.State.DELIVERED);
            assertThat(batches.openCallbackIds()).doesNotContain(batchId);
        }
    }

    @Test
    void fileWhoseCallbackMetadataIsForbidden_isRefusedWhole_andItsErrorFileSaysWhy() {
        // GIVEN a file whose callback points at the instance metadata service
        String key = "batches/acme/metadata-thief.jsonl";
        String etag = uploadWithCallback(key, line("m1", "steal") + "\n", "https://169.254.169.254/latest/");

        // WHEN S3 reports it
        JsonNode report = deliverOk(fixture("s3-object-created.json", key, etag)).get("records").get(0);

        // THEN no batch and no job exist, and the error file next to it explains
        assertThat(report.get("outcome").asText()).isEqualTo("REFUSED");
        assertThat(batches.find(BatchFileKeys.batchId(cloud().filesBucket(), key, etag))).isEmpty();
        assertThat(batchQueueMessages()).isZero();
        assertThat(readJsonLines("batches/acme/metadata-thief.errors.jsonl")).singleElement().satisfies(
                line -> assertThat(line.at("/error/code").asText()).isEqualTo("callback_address_not_allowed"));
    }

    @Test
    void fileOfATenantWithoutAnActiveKey_isRefusedWhole_andItsErrorFileSaysWhy() {
        // GIVEN a file under a tenant segment no API key belongs to
        String key = "batches/nobody/stray.jsonl";
        String etag = upload(key, line("s1", "stray") + "\n");

        // WHEN S3 reports it
        JsonNode report = deliverOk(fixture("s3-object-created.json", key, etag)).get("records").get(0);

        // THEN no batch and no job exist, and the error file next to it explains
        assertThat(report.get("outcome").asText()).isEqualTo("REFUSED");
        assertThat(batches.find(BatchFileKeys.batchId(cloud().filesBucket(), key, etag))).isEmpty();
        assertThat(batchQueueMessages()).isZero();
        assertThat(readJsonLines("batches/nobody/stray.errors.jsonl")).singleElement()
                .satisfies(line -> assertThat(line.at("/error/code").asText()).isEqualTo("unknown_tenant"));
    }

    @Test
    void readFailingHalfWay_isFinishedByTheNextDeliveryWithoutDuplicatesOrLostLines() {
        // GIVEN a 350-line file whose first reading fails after the jobs of its third chunk are stored, not queued
        String key = "batches/acme/interrupted.jsonl";
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 350; i++) {
            content.append(line("i" + i, "interrupted " + i)).append('\n');
        }
        String event = fixture("s3-object-created.json", key, upload(key, content.toString()));
        ReadObserver.failAfterStoring(250, false);

        // WHEN it is delivered, fails, and Lambda delivers it again
        assertThat(deliver(event).statusCode()).isNotEqualTo(200);
        JsonNode retried = deliverOk(event).get("records").get(0);

        // THEN the batch holds each line's job exactly once, and every job was queued
        assertThat(retried.get("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(retried.get("jobs").asInt()).isEqualTo(350);
        Map<String, Job> byCustomId = jobsByCustomId(retried.get("batchId").asText());
        assertThat(byCustomId).hasSize(350);
        assertThat(new HashSet<>(drainBatchQueue())).isEqualTo(
                byCustomId.values().stream().map(Job::id).collect(java.util.stream.Collectors.toSet()));
        assertThat(batches.find(retried.get("batchId").asText()).orElseThrow().total()).isEqualTo(350);
    }

    @Test
    void readerDyingHalfWay_isTakenOverByTheOutputsTaskOnceItsLeaseLapses() {
        // GIVEN a 350-line file whose reader dies outright after storing the jobs of its second chunk
        String key = "batches/acme/crashed.jsonl";
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 350; i++) {
            content.append(line("k" + i, "crashed " + i)).append('\n');
        }
        String etag = upload(key, content.toString());
        String event = fixture("s3-object-created.json", key, etag);
        ReadObserver.failAfterStoring(150, true);
        // (read in this thread: an Error would also stop the test's Lambda poll loop)
        assertThatThrownBy(() -> files.ingest(cloud().filesBucket(), key, etag)).isInstanceOf(ReadObserver.Crash.class);
        String batchId = ReadObserver.SEEN.get(0).batchId();
        // AND one of its queued jobs already ran
        Job early = jobsByCustomId(batchId).get("k1");
        succeed(early, "early answer");

        // WHEN a redelivery comes while the dead reader's lease still holds
        JsonNode meanwhile = deliverOk(event).get("records").get(0);
        // THEN it leaves the batch to the lease holder
        assertThat(meanwhile.get("outcome").asText()).isEqualTo("IN_PROGRESS");

        // WHEN the lease lapses and the outputs task runs
        TestClock.advance(Duration.ofMinutes(3));
        outputsTask.run(Instant.now());

        // THEN the batch is read to its end: each line's job once, the one that ran untouched
        Batch batch = batches.find(batchId).orElseThrow();
        assertThat(batch.accepted()).isNotNull();
        assertThat(batch.total()).isEqualTo(350);
        Map<String, Job> byCustomId = jobsByCustomId(batchId);
        assertThat(byCustomId).hasSize(350);
        assertThat(byCustomId.get("k1").status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(new HashSet<>(drainBatchQueue())).containsAll(
                byCustomId.values().stream().map(Job::id).toList());
    }

    @Test
    void largeFile_isStreamedAndStoredChunkByChunk() {
        // GIVEN a file of 20,000 lines (about 3 MB)
        int lines = 20_000;
        String key = "batches/acme/large.jsonl";
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            content.append(line("large-" + i, "large request number " + i)).append('\n');
        }
        String event = fixture("s3-object-created.json", key, upload(key, content.toString()));

        // WHEN it is delivered
        JsonNode report = deliverOk(event).get("records").get(0);

        // THEN every line became a queued job
        assertThat(report.get("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(report.get("jobs").asInt()).isEqualTo(lines);
        assertThat(batchQueueMessages()).isEqualTo(lines);
        // AND the jobs were stored and checkpointed a chunk at a time while the file was still being read:
        // when the first chunk was stored, only a small part of the object had been taken from its stream
        List<BatchFileProgress> checkpoints = ReadObserver.SEEN.stream()
                .filter(p -> p.step() == BatchFileProgress.Step.CHECKPOINTED).toList();
        assertThat(checkpoints).hasSize(lines / BatchFilesProfile.CHUNK);
        assertThat(checkpoints).allSatisfy(p -> assertThat(p.jobs()).isEqualTo(BatchFilesProfile.CHUNK));
        BatchFileProgress first = checkpoints.get(0);
        assertThat(first.bytesRead()).isLessThan(first.objectBytes() / 10);
        assertThat(checkpoints).extracting(BatchFileProgress::bytesRead).isSorted();
        assertThat(checkpoints.get(checkpoints.size() - 1).bytesRead()).isEqualTo(first.objectBytes());
    }
}
