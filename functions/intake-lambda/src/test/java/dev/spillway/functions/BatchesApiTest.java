package dev.spillway.functions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The OpenAI Batch API end to end through the intake, against the real queues and tables. The worker's part is
 * played through the real job store (claim, succeed, fail), as a worker process does it.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class BatchesApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BODY = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    @Inject
    JobStore store;
    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    /** Calls as {@code key} only: the default key is no longer sent for the rest of the test. */
    private static RequestSpecification as(String key) {
        RestAssured.requestSpecification = null;
        return given().header("Authorization", "Bearer " + key);
    }

    private static String line(String customId, String content) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + String.format(BODY, content) + "}";
    }

    private static String batch(String... customIds) {
        return "{\"requests\":[" + Stream.of(customIds).map(id -> line(id, "question " + id))
                .collect(Collectors.joining(",")) + "],\"endpoint\":\"/v1/chat/completions\","
                + "\"completion_window\":\"24h\"}";
    }

    private static String create(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/batches")
                .then().statusCode(200).extract().path("id");
    }

    /** Takes every message off the batch queue, as workers would receive them, and returns their jobs. */
    private List<Job> receiveBatchJobs(int expected) {
        List<Job> jobs = new ArrayList<>();
        while (jobs.size() < expected) {
            Message message = IntakeFixture.receive("batch").orElseThrow(
                    () -> new AssertionError("only " + jobs.size() + " of " + expected + " jobs were queued"));
            String id = message.body().replaceAll(".*\"(job_[0-9a-z]+)\".*", "$1");
            jobs.add(store.find(id).orElseThrow());
        }
        return jobs;
    }

    private static Map<String, Job> byCustomId(List<Job> jobs) {
        return jobs.stream().collect(Collectors.toMap(job -> job.batchLine().customId(), job -> job));
    }

    private void succeed(Job job, String answer) {
        Instant now = Instant.now();
        store.claim(job.id(), "test-worker", now, now.plusSeconds(60)).orElseThrow();
        assertThat(store.succeed(job.id(), "test-worker", ChatCompletion.of("chatcmpl-" + job.id(), now.getEpochSecond(),
                job.model(), answer, "stop", Usage.of(3, 2)), now)).isPresent();
    }

    private void fail(Job job) {
        Instant now = Instant.now();
        store.claim(job.id(), "test-worker", now, now.plusSeconds(60)).orElseThrow();
        assertThat(store.fail(job.id(), "test-worker", JobError.server("upstream_error", "The upstream failed."), now))
                .isPresent();
    }

    private static List<JsonNode> jsonLines(String fileId) throws Exception {
        Response response = given().get("/v1/files/" + fileId + "/content");
        response.then().statusCode(200).contentType(startsWith("application/jsonl"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.asString().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static int storedBatches() {
        LocalCloud cloud = IntakeFixture.cloud();
        return cloud.dynamo().scan(b -> b.tableName(cloud.batchesTable()).select("COUNT")).count();
    }

    @Test
    void create_answersTheBatchObjectAndQueuesOneJobPerRequestOnTheBatchTier() {
        String body = "{\"requests\":[" + line("a", "one") + "," + line("b", "two") + "," + line("c", "three")
                + "],\"metadata\":{\"project\":\"spillway\"}}";

        Response response = given().contentType(ContentType.JSON).body(body).post("/v1/batches");

        response.then().statusCode(200)
                .body("id", startsWith("batch_"))
                .body("object", equalTo("batch"))
                .body("endpoint", equalTo("/v1/chat/completions"))
                .body("completion_window", equalTo("24h"))
                .body("status", equalTo("in_progress"))
                .body("input_file_id", nullValue())
                .body("output_file_id", nullValue())
                .body("error_file_id", nullValue())
                .body("errors", nullValue())
                .body("created_at", notNullValue())
                .body("in_progress_at", notNullValue())
                .body("expires_at", notNullValue())
                .body("completed_at", nullValue())
                .body("request_counts.total", equalTo(3))
                .body("request_counts.completed", equalTo(0))
                .body("request_counts.failed", equalTo(0))
                .body("metadata.project", equalTo("spillway"));
        String batchId = response.path("id");
        long created = response.<Number>path("created_at").longValue();
        assertThat(response.<Number>path("expires_at").longValue()).isEqualTo(created + 24 * 3600);

        List<Job> jobs = receiveBatchJobs(3);
        assertThat(jobs).allSatisfy(job -> {
            assertThat(job.tier()).isEqualTo(Tier.BATCH);
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(job.tenant()).isEqualTo("default");
            assertThat(job.batchLine().batchId()).isEqualTo(batchId);
        });
        Map<String, Job> lines = byCustomId(jobs);
        assertThat(lines.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(lines.get("b").batchLine().index()).isEqualTo(1);
        assertThat(lines.get("b").request().messages().get(0).content()).isEqualTo("two");
        assertThat(IntakeFixture.receive("interactive")).isEmpty();
        assertThat(IntakeFixture.receive("standard")).isEmpty();
    }

    @Test
    void create_acceptsJsonLinesBodies() {
        String body = line("first", "one") + "\n" + line("second", "two") + "\n";

        given().contentType("application/jsonl").body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/batches").then().statusCode(200)
                .body("status", equalTo("in_progress")).body("request_counts.total", equalTo(2));

        assertThat(byCustomId(receiveBatchJobs(2)).keySet()).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void get_showsProgressFromTheJobs_evenWhenAWorkerDiesMidway() throws Exception {
        String batchId = create(batch("ok-1", "bad", "ok-2"));
        Map<String, Job> jobs = byCustomId(receiveBatchJobs(3));

        // A worker takes the first request and dies holding it: the batch is running, nothing is done yet.
        Instant now = Instant.now();
        store.claim(jobs.get("ok-1").id(), "crashed-worker", now, now.plusMillis(1)).orElseThrow();
        given().get("/v1/batches/" + batchId).then().statusCode(200)
                .body("status", equalTo("in_progress"))
                .body("request_counts.completed", equalTo(0)).body("request_counts.failed", equalTo(0));

        fail(jobs.get("bad"));
        succeed(jobs.get("ok-2"), "second answer");
        given().get("/v1/batches/" + batchId).then().statusCode(200)
                .body("status", equalTo("in_progress"))
                .body("request_counts.total", equalTo(3))
                .body("request_counts.completed", equalTo(1))
                .body("request_counts.failed", equalTo(1))
                .body("output_file_id", nullValue());

        // Its lease lapsed: another worker takes the request over and finishes the batch.
        Instant later = now.plusSeconds(5);
        store.claim(jobs.get("ok-1").id(), "second-worker", later, later.plusSeconds(60)).orElseThrow();
        assertThat(store.succeed(jobs.get("ok-1").id(), "second-worker", ChatCompletion.of("chatcmpl-x",
                later.getEpochSecond(), "test-model", "first answer", "stop", Usage.of(3, 2)), later)).isPresent();

        Response done = given().get("/v1/batches/" + batchId);
        done.then().statusCode(200)
                .body("status", equalTo("completed"))
                .body("request_counts.completed", equalTo(2))
                .body("request_counts.failed", equalTo(1))
                .body("completed_at", notNullValue())
                .body("output_file_id", equalTo("file-" + batchId.substring(6) + "-output"))
                .body("error_file_id", equalTo("file-" + batchId.substring(6) + "-errors"));

        List<JsonNode> output = jsonLines(done.path("output_file_id"));
        assertThat(output).extracting(line -> line.get("custom_id").asText()).containsExactly("ok-1", "ok-2");
        JsonNode first = output.get(0);
        assertThat(first.get("id").asText()).startsWith("batch_req_");
        assertThat(first.get("error").isNull()).isTrue();
        assertThat(first.at("/response/status_code").asInt()).isEqualTo(200);
        assertThat(first.at("/response/request_id").asText()).isEqualTo(jobs.get("ok-1").id());
        assertThat(first.at("/response/body/object").asText()).isEqualTo("chat.completion");
        assertThat(first.at("/response/body/choices/0/message/content").asText()).isEqualTo("first answer");
        assertThat(output.get(1).at("/response/body/choices/0/message/content").asText()).isEqualTo("second answer");

        List<JsonNode> errors = jsonLines(done.path("error_file_id"));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("custom_id").asText()).isEqualTo("bad");
        assertThat(errors.get(0).at("/response/status_code").asInt()).isEqualTo(502);
        assertThat(errors.get(0).at("/response/body/error/code").asText()).isEqualTo("upstream_error");
    }

    @Test
    void resultFiles_doNotExistBeforeTheBatchEnds() {
        String batchId = create(batch("only"));
        receiveBatchJobs(1);

        given().get("/v1/files/file-" + batchId.substring(6) + "-output/content").then().statusCode(404)
                .body("error.code", equalTo("file_not_found"));
    }

    @Test
    void cancel_stopsTheUnfinishedRequestsAndKeepsTheFinishedOnes() throws Exception {
        String batchId = create(batch("done", "queued", "running"));
        Map<String, Job> jobs = byCustomId(receiveBatchJobs(3));
        succeed(jobs.get("done"), "made it");
        Instant now = Instant.now();
        store.claim(jobs.get("running").id(), "busy-worker", now, now.plusSeconds(60)).orElseThrow();

        Response cancelled = given().post("/v1/batches/" + batchId + "/cancel");

        cancelled.then().statusCode(200)
                .body("status", equalTo("cancelled"))
                .body("cancelling_at", notNullValue())
                .body("cancelled_at", notNullValue())
                .body("request_counts.completed", equalTo(1));
        assertThat(store.find(jobs.get("queued").id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store.find(jobs.get("running").id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store.succeed(jobs.get("running").id(), "busy-worker", ChatCompletion.of("late", 0, "test-model",
                "too late", "stop", Usage.of(1, 1)), now)).as("the worker's late result is refused").isEmpty();

        // Cancelling again changes nothing.
        given().post("/v1/batches/" + batchId + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"))
                .body("cancelling_at", equalTo(cancelled.<Number>path("cancelling_at").intValue()));

        assertThat(jsonLines(cancelled.path("output_file_id"))).extracting(line -> line.get("custom_id").asText())
                .containsExactly("done");
        List<JsonNode> errors = jsonLines(cancelled.path("error_file_id"));
        assertThat(errors).extracting(line -> line.get("custom_id").asText()).containsExactly("queued", "running");
        assertThat(errors).allSatisfy(line -> {
            assertThat(line.get("response").isNull()).isTrue();
            assertThat(line.at("/error/code").asText()).isEqualTo("batch_cancelled");
        });
    }

    @Test
    void cancel_ofACompletedBatch_isAConflict() {
        String batchId = create(batch("quick"));
        succeed(receiveBatchJobs(1).get(0), "done");

        given().post("/v1/batches/" + batchId + "/cancel").then().statusCode(409)
                .body("error.code", equalTo("batch_already_finished"));
        given().get("/v1/batches/" + batchId).then().body("status", equalTo("completed"));
    }

    @Test
    void create_withAnIdempotencyKey_replaysTheBatchAndRefusesADifferentOne() {
        String body = batch("x", "y");
        Response first = given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-key-1").body(body)
                .post("/v1/batches");
        first.then().statusCode(200).header("Idempotent-Replayed", nullValue());
        int jobsAfterFirst = IntakeFixture.storedJobs();

        Response retry = given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-key-1").body(body)
                .post("/v1/batches");
        retry.then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.<String>path("id")))
                .body("request_counts.total", equalTo(2));

        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-key-1").body(batch("x", "z"))
                .post("/v1/batches").then().statusCode(422).body("error.code", equalTo("idempotency_key_reused"));

        assertThat(IntakeFixture.storedJobs()).isEqualTo(jobsAfterFirst);
        assertThat(IntakeFixture.queuedMessages()).isEqualTo(2);
    }

    @Test
    void cancel_withAnIdempotencyKey_isReplayedAndTheKeyCannotNameAnotherRequest() {
        String batchId = create(batch("c1"));
        String otherId = create(batch("c2"));

        given().header("Idempotency-Key", "cancel-key-1").post("/v1/batches/" + batchId + "/cancel").then()
                .statusCode(200).body("status", equalTo("cancelled"));
        given().header("Idempotency-Key", "cancel-key-1").post("/v1/batches/" + batchId + "/cancel").then()
                .statusCode(200).body("status", equalTo("cancelled"));
        given().header("Idempotency-Key", "cancel-key-1").post("/v1/batches/" + otherId + "/cancel").then()
                .statusCode(422).body("error.code", equalTo("idempotency_key_reused"));
        given().get("/v1/batches/" + otherId).then().body("status", equalTo("in_progress"));
    }

    @Test
    void anotherTenantsBatch_isNotFoundEverywhere() {
        String batchId = create(batch("mine"));
        succeed(receiveBatchJobs(1).get(0), "private answer");
        String outputFile = given().get("/v1/batches/" + batchId).then().extract().path("output_file_id");
        String otherKey = IntakeFixture.newKey(keys, "other-tenant", Set.of(), 0, 0);

        as(otherKey).get("/v1/batches/" + batchId).then().statusCode(404)
                .body("error.code", equalTo("batch_not_found"));
        as(otherKey).post("/v1/batches/" + batchId + "/cancel").then().statusCode(404);
        as(otherKey).get("/v1/files/" + outputFile + "/content").then().statusCode(404)
                .body("error.code", equalTo("file_not_found"));
        as(otherKey).get("/v1/batches").then().statusCode(200)
                .body("data.id", not(org.hamcrest.Matchers.hasItem(batchId)));

        as(IntakeFixture.KEY).get("/v1/batches/" + batchId).then().statusCode(200)
                .body("status", equalTo("completed"));
        as(IntakeFixture.KEY).get("/v1/files/" + outputFile + "/content").then().statusCode(200);
    }

    @Test
    void modelOutsideTheKeysGrant_refusesTheWholeBatch() {
        String restricted = IntakeFixture.newKey(keys, "restricted-tenant", Set.of("other-model"), 0, 0);
        int jobsBefore = IntakeFixture.storedJobs();
        int batchesBefore = storedBatches();

        as(restricted).contentType(ContentType.JSON).body(batch("a"))
                .post("/v1/batches").then().statusCode(403)
                .body("error.code", equalTo("model_not_allowed")).body("error.param", equalTo("requests[0].body.model"));

        assertThat(IntakeFixture.storedJobs()).isEqualTo(jobsBefore);
        assertThat(storedBatches()).isEqualTo(batchesBefore);
        assertThat(IntakeFixture.queuedMessages()).isZero();
    }

    @Test
    void list_pagesTheTenantsBatchesNewestFirst() {
        String listKey = IntakeFixture.newKey(keys, "listing-tenant", Set.of(), 0, 0);
        String older = as(listKey).contentType(ContentType.JSON)
                .body(batch("l1")).post("/v1/batches").then().statusCode(200).extract().path("id");
        String newer = as(listKey).contentType(ContentType.JSON)
                .body(batch("l2")).post("/v1/batches").then().statusCode(200).extract().path("id");

        as(listKey).get("/v1/batches?limit=1").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", equalTo(List.of(newer)))
                .body("first_id", equalTo(newer)).body("last_id", equalTo(newer))
                .body("has_more", equalTo(true));
        as(listKey).get("/v1/batches?limit=1&after=" + newer).then()
                .statusCode(200).body("data.id", equalTo(List.of(older))).body("has_more", equalTo(false));
    }

    // Bad input: refused in the OpenAI error shape, nothing stored or queued ----------------------------------

    static Stream<Arguments> badBatches() {
        String ok = line("ok", "fine");
        return Stream.of(
                bad("empty body", "", 400, "invalid_json", null),
                bad("not JSON", "batch please", 400, "invalid_json", null),
                bad("truncated JSON", "{\"requests\":[" + ok, 400, "invalid_json", null),
                bad("JSON array", "[" + ok + "]", 400, "invalid_json", null),
                bad("duplicate key", "{\"requests\":[],\"requests\":[" + ok + "]}", 400, "invalid_json", null),
                bad("missing requests", "{\"endpoint\":\"/v1/chat/completions\"}", 400, "missing_required_parameter",
                        "requests"),
                bad("requests not an array", "{\"requests\":\"all\"}", 400, "invalid_type", "requests"),
                bad("no requests", "{\"requests\":[]}", 400, "empty_array", "requests"),
                bad("too many requests", "{\"requests\":[" + Stream.of("0123456789abcdefghijk".split(""))
                        .map(id -> line(id, "x")).collect(Collectors.joining(",")) + "]}", 413,
                        "too_many_requests_in_batch", "requests"),
                bad("unknown field", "{\"requests\":[" + ok + "],\"priority\":1}", 400, "unknown_parameter", "priority"),
                bad("input file", "{\"input_file_id\":\"file-abc\"}", 400, "unsupported_parameter", "input_file_id"),
                bad("other endpoint", "{\"requests\":[" + ok + "],\"endpoint\":\"/v1/embeddings\"}", 400,
                        "unsupported_endpoint", "endpoint"),
                bad("other window", "{\"requests\":[" + ok + "],\"completion_window\":\"48h\"}", 400, "invalid_value",
                        "completion_window"),
                bad("metadata not an object", "{\"requests\":[" + ok + "],\"metadata\":[1]}", 400, "invalid_value",
                        "metadata"),
                bad("metadata value not a string", "{\"requests\":[" + ok + "],\"metadata\":{\"a\":1}}", 400,
                        "invalid_value", "metadata"),
                bad("line not an object", "{\"requests\":[" + ok + ",\"hi\"]}", 400, "invalid_type", "requests[1]"),
                bad("missing custom_id", "{\"requests\":[{\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                        + "\"body\":" + String.format(BODY, "x") + "}]}", 400, "missing_required_parameter",
                        "requests[0].custom_id"),
                bad("custom_id a number", "{\"requests\":[" + ok.replace("\"ok\"", "7") + "]}", 400, "invalid_value",
                        "requests[0].custom_id"),
                bad("custom_id too long", "{\"requests\":[" + ok.replace("\"ok\"", "\"" + "c".repeat(513) + "\"")
                        + "]}", 400, "invalid_value", "requests[0].custom_id"),
                bad("duplicate custom_id", "{\"requests\":[" + ok + "," + line("ok", "again") + "]}", 400,
                        "duplicate_custom_id", "requests[1].custom_id"),
                bad("method GET", "{\"requests\":[" + ok.replace("POST", "GET") + "]}", 400, "invalid_value",
                        "requests[0].method"),
                bad("other url", "{\"requests\":[" + ok.replace("/v1/chat/completions", "/v1/embeddings") + "]}", 400,
                        "invalid_value", "requests[0].url"),
                bad("unknown line field", "{\"requests\":[" + ok.replace("{\"custom_id\"", "{\"extra\":1,\"custom_id\"")
                        + "]}", 400, "unknown_parameter", "requests[0].extra"),
                bad("body missing", "{\"requests\":[{\"custom_id\":\"a\",\"method\":\"POST\","
                        + "\"url\":\"/v1/chat/completions\"}]}", 400, "missing_required_parameter", "requests[0].body"),
                bad("body a string", "{\"requests\":[{\"custom_id\":\"a\",\"method\":\"POST\","
                        + "\"url\":\"/v1/chat/completions\",\"body\":\"hi\"}]}", 400, "invalid_type",
                        "requests[0].body"),
                bad("second body without messages", "{\"requests\":[" + ok + ",{\"custom_id\":\"b\",\"method\":\"POST\","
                        + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"test-model\"}}]}", 400,
                        "missing_required_parameter", "requests[1].body.messages"),
                bad("body with bad temperature", "{\"requests\":[" + ok.replace("\"messages\"",
                        "\"temperature\":9,\"messages\"") + "]}", 400, "invalid_value", "requests[0].body.temperature"),
                bad("body asking to stream", "{\"requests\":[" + ok.replace("\"messages\"", "\"stream\":true,\"messages\"")
                        + "]}", 400, "unsupported_parameter", "requests[0].body.stream"),
                bad("unknown model", "{\"requests\":[" + ok.replace("test-model", "gpt-17") + "]}", 404,
                        "model_not_found", "requests[0].body.model"),
                bad("oversized line body", "{\"requests\":[" + line("big", "x".repeat(300_000)) + "]}", 413,
                        "request_too_large", null));
    }

    private static Arguments bad(String name, String body, int status, String code, String param) {
        return Arguments.of(name, body, status, code, param);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBatches")
    void create_refusesBadInputAndStoresNothing(String name, String body, int status, String code, String param) {
        assertRefusedWithoutSideEffects(() -> given().contentType(ContentType.JSON)
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/v1/batches"), status, code, param);
    }

    @Test
    void create_refusesBadJsonLinesNamingTheLine() {
        String body = line("a", "fine") + "\n{\"custom_id\":\"b\",\"method\":\"POST\"\n";
        assertRefusedWithoutSideEffects(() -> given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/batches"), 400, "invalid_json", "requests[1]");
    }

    @Test
    void create_refusesOversizedBodiesUnsupportedTypesAndBadKeys() {
        String huge = "{\"requests\":[" + line("big", "x".repeat(200_000)) + "," + line("big2", "y".repeat(200_000))
                + "]}";
        assertRefusedWithoutSideEffects(() -> given().contentType(ContentType.JSON).body(huge).post("/v1/batches"),
                413, "request_too_large", null);
        assertRefusedWithoutSideEffects(() -> given().contentType("text/csv").body("a,b").post("/v1/batches"), 415,
                "unsupported_media_type", null);
        assertRefusedWithoutSideEffects(() -> given().contentType(ContentType.JSON).header("Idempotency-Key", "not a key")
                .body(batch("k")).post("/v1/batches"), 400, "invalid_idempotency_key", "Idempotency-Key");
    }

    @Test
    void malformedOrUnknownIds_areRefusedOrNotFound() {
        assertRefusedWithoutSideEffects(() -> given().get("/v1/batches/not-a-batch"), 400, "invalid_batch_id",
                "batch_id");
        assertRefusedWithoutSideEffects(() -> given().urlEncodingEnabled(false).get("/v1/batches/..%2F..%2Fetc%2Fpasswd"),
                400, null, null);
        assertRefusedWithoutSideEffects(() -> given().urlEncodingEnabled(false).post("/v1/batches/batch_%00/cancel"),
                400, null, null);
        assertRefusedWithoutSideEffects(() -> given().get("/v1/batches/batch_00000000000000000000000000"), 404,
                "batch_not_found", null);
        assertRefusedWithoutSideEffects(() -> given().post("/v1/batches/batch_00000000000000000000000000/cancel"), 404,
                "batch_not_found", null);
        assertRefusedWithoutSideEffects(() -> given().get("/v1/files/file-abc/content"), 400, "invalid_file_id",
                "file_id");
        assertRefusedWithoutSideEffects(() -> given().urlEncodingEnabled(false).get("/v1/files/..%2Fbatches/content"),
                400, null, null);
        assertRefusedWithoutSideEffects(() -> given().get("/v1/files/file-00000000000000000000000000-output/content"),
                404, "file_not_found", null);
        assertRefusedWithoutSideEffects(() -> given().get("/v1/batches?limit=0"), 400, "invalid_value", "limit");
        assertRefusedWithoutSideEffects(() -> given().get("/v1/batches?limit=many"), 400, "invalid_value", "limit");
        assertRefusedWithoutSideEffects(() -> given().get("/v1/batches?after=batch_00000000000000000000000000"), 404,
                "batch_not_found", null);
    }

    @Test
    void everyBatchEndpoint_needsAKey() {
        assertRefusedWithoutSideEffects(() -> as("nope")
                .contentType(ContentType.JSON).body(batch("a")).post("/v1/batches"), 401, null, null);
        assertRefusedWithoutSideEffects(() -> as("nope").get("/v1/batches"), 401,
                null, null);
    }

    private static void assertRefusedWithoutSideEffects(Supplier<Response> call, int status, String code,
            String param) {
        int jobsBefore = IntakeFixture.storedJobs();
        int batchesBefore = storedBatches();

        Response response = call.get();

        response.then().statusCode(status)
                .body("$", hasKey("error"))
                .body("error.message", not(emptyOrNullString()))
                .body("error.type", not(emptyOrNullString()))
                .body("error", hasKey("param"))
                .body("error", hasKey("code"));
        if (code != null) {
            response.then().body("error.code", equalTo(code));
        }
        if (param != null) {
            response.then().body("error.param", equalTo(param));
        }
        assertThat(IntakeFixture.storedJobs()).as("jobs stored").isEqualTo(jobsBefore);
        assertThat(storedBatches()).as("batches stored").isEqualTo(batchesBefore);
        assertThat(IntakeFixture.queuedMessages()).as("messages queued").isZero();
    }
}
