package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static dev.spillway.functions.SseData.chunks;
import static dev.spillway.functions.SseData.dataLines;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code POST /v1/completions} (DeepSeek's fill-in-the-middle form included) and {@code POST /v1/embeddings} through
 * every lane: direct to a loopback upstream that serves them, from the cache, and spilled as a job a test worker
 * answers; streamed or whole; coalesced and idempotent like chat; and refused at intake, naming the field and the
 * model, when the model's engine or the request cannot do it.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@QuarkusTestResource(value = DirectLaneUpstreams.class, restrictToAnnotatedClass = true)
class EndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ApiKeyStore keys;
    @Inject
    JobStore store;
    @Inject
    RedisDataSource redis;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void aFimCompletion_goesDirect_withEveryFieldAsSent_andItsAnswerAsTheUpstreamGaveIt() throws Exception {
        // GIVEN
        int jobsBefore = storedJobs();
        String body = "{\"model\":\"direct-model\",\"prompt\":\"fim direct: def fib(a):\",\"suffix\":\"    return b\","
                + "\"max_tokens\":64,\"echo\":false,\"logprobs\":2,\"best_of\":1,\"x_vendor\":{\"keep\":true}}";

        // WHEN
        Response response = post("/v1/completions", body);

        // THEN the upstream's text completion, unknown fields and all, with the model the client named
        response.then().statusCode(200).header("X-Spillway-Lane", "direct").header("X-Spillway-Target", "primary");
        JsonNode answer = JSON.readTree(response.asByteArray());
        assertThat(answer.path("object").asText()).isEqualTo("text_completion");
        assertThat(answer.path("model").asText()).isEqualTo("direct-model");
        assertThat(answer.path("system_fingerprint").asText()).isEqualTo("fp_fim_1");
        assertThat(answer.path("choices").path(0).path("text").asText()).isEqualTo("echo: fim direct: def fib(a):");
        // AND the upstream received the client's body unchanged, on its /completions path
        assertThat(JSON.readTree(DirectLaneUpstreams.a().lastBody("fim direct: def fib(a):")))
                .isEqualTo(JSON.readTree(body));
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void aTargetThatDoesNotServeTheEndpoint_isSkipped_theNextOneThatDoesAnswers() throws Exception {
        // WHEN a completion for a model whose first target serves chat only
        Response response = post("/v1/completions", "{\"model\":\"fim-model\",\"prompt\":\"skip the chat target\"}");

        // THEN the target serving completions answered, and the chat-only one was never called
        response.then().statusCode(200).header("X-Spillway-Lane", "direct").header("X-Spillway-Target", "fim-beta");
        assertThat(DirectLaneUpstreams.b().calls("skip the chat target")).isZero();
        assertThat(DirectLaneUpstreams.a().calls("skip the chat target")).isEqualTo(1);
    }

    @Test
    void embeddings_goDirect_andAreCachedByDefault_underAKeyThatCoversTheirEncoding() throws Exception {
        // GIVEN
        String body = "{\"model\":\"direct-model\",\"input\":[\"embed direct\",\"and another\"],"
                + "\"encoding_format\":\"base64\",\"dimensions\":4}";

        // WHEN the same embeddings are asked for twice
        Response first = post("/v1/embeddings", body);
        Response second = post("/v1/embeddings", body);

        // THEN the upstream's list, vectors as base64, then the same answer from the cache without a call
        first.then().statusCode(200).header("X-Spillway-Lane", "direct");
        JsonNode answer = JSON.readTree(first.asByteArray());
        assertThat(answer.path("object").asText()).isEqualTo("list");
        assertThat(answer.path("data")).hasSize(2);
        assertThat(Base64.getDecoder().decode(answer.path("data").path(0).path("embedding").asText())).hasSize(16);
        second.then().statusCode(200).header("X-Spillway-Lane", "cache");
        assertThat(JSON.readTree(second.asByteArray())).isEqualTo(answer);
        assertThat(DirectLaneUpstreams.a().calls("embed direct")).isEqualTo(1);
        // AND floats instead of base64 are another answer: not served from that entry
        Response floats = post("/v1/embeddings", body.replace("base64", "float"));
        floats.then().statusCode(200).header("X-Spillway-Lane", "direct");
        assertThat(JSON.readTree(floats.asByteArray()).path("data").path(0).path("embedding").isArray()).isTrue();
        assertThat(DirectLaneUpstreams.a().calls("embed direct")).isEqualTo(2);
    }

    @Test
    void aStreamedCompletion_relaysTextCompletionChunks_thenIsReplayedFromTheCache() throws Exception {
        // GIVEN
        String body = "{\"model\":\"direct-model\",\"prompt\":\"stream text then cache\",\"temperature\":0,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";

        // WHEN it streams, then streams again once its answer is stored
        Response first = post("/v1/completions", body);
        Response replay = await().atMost(Duration.ofSeconds(10)).until(() -> post("/v1/completions", body),
                response -> "cache".equals(response.header("X-Spillway-Lane")));

        // THEN both are text_completion chunks telling the same text, usage last, ending with [DONE]
        first.then().statusCode(200).header("X-Spillway-Lane", "direct");
        assertThat(first.contentType()).startsWith("text/event-stream");
        for (Response response : List.of(first, replay)) {
            List<String> data = dataLines(response.asString());
            assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
            List<JsonNode> chunks = chunks(data);
            assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("object").asText()).isEqualTo("text_completion"));
            assertThat(text(chunks)).isEqualTo("echo: stream text then cache");
            assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt()).isEqualTo(5);
        }
        assertThat(DirectLaneUpstreams.a().calls("stream text then cache")).isEqualTo(1);
        // AND a client that does not stream gets the assembled text completion from the cache
        Response whole = post("/v1/completions", body.replace(",\"stream\":true,\"stream_options\":{\"include_usage\":true}", ""));
        whole.then().statusCode(200).header("X-Spillway-Lane", "cache");
        assertThat(JSON.readTree(whole.asByteArray()).path("choices").path(0).path("text").asText())
                .isEqualTo("echo: stream text then cache");
    }

    @Test
    void aSpilledCompletion_isAJobForItsEndpoint_answeredWithTheEnginesTextCompletion() throws Exception {
        // GIVEN a model only the fleet serves, and a worker that answers the job
        String body = "{\"model\":\"test-model\",\"prompt\":\"spilled fim\",\"suffix\":\"end\",\"max_tokens\":8}";
        CompletableFuture<Job> worker = work(job -> ChatCompletion.ofText("cmpl-" + job.id(), 1, job.model(),
                "middle", "stop", Usage.of(3, 1)));

        // WHEN
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=20").body(body)
                .post("/v1/completions");
        Job job = worker.get(30, TimeUnit.SECONDS);

        // THEN the job was for /v1/completions with the body as sent, and its answer is the engine's
        assertThat(job.request().kind()).isEqualTo(RequestKind.COMPLETION);
        assertThat(job.request().body()).isEqualTo(JSON.readTree(body));
        response.then().statusCode(200).header("X-Spillway-Lane", "spill");
        assertThat(JSON.readTree(response.asByteArray()).path("choices").path(0).path("text").asText())
                .isEqualTo("middle");
        // AND the job says its endpoint and holds that endpoint's own answer
        JsonNode view = JSON.readTree(given().get("/v1/jobs/" + job.id()).then().statusCode(200).extract().asByteArray());
        assertThat(view.path("endpoint").asText()).isEqualTo("/v1/completions");
        assertThat(view.path("result").path("object").asText()).isEqualTo("text_completion");
    }

    @Test
    void spilledEmbeddings_areAnsweredWithTheEnginesList() throws Exception {
        // GIVEN
        ObjectNode list = (ObjectNode) JSON.readTree("{\"object\":\"list\",\"model\":\"test-model\",\"data\":"
                + "[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,-1.0]}],"
                + "\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}");
        CompletableFuture<Job> worker = work(job -> ChatCompletion.of(list));

        // WHEN
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=20")
                .body("{\"model\":\"test-model\",\"input\":\"spilled embedding\"}").post("/v1/embeddings");
        Job job = worker.get(30, TimeUnit.SECONDS);

        // THEN
        assertThat(job.request().kind()).isEqualTo(RequestKind.EMBEDDING);
        response.then().statusCode(200).header("X-Spillway-Lane", "spill");
        assertThat(JSON.readTree(response.asByteArray())).isEqualTo(list);
    }

    @Test
    void aSpilledStreamedCompletion_isToldAsTextChunksWhenItsJobFinishes_orNamesItsJobWhenTheBudgetEnds()
            throws Exception {
        // GIVEN a worker for the first request only
        CompletableFuture<Job> worker = work(job -> ChatCompletion.ofText("cmpl-" + job.id(), 1, job.model(),
                "spilled text", "stop", Usage.of(2, 2)));

        // WHEN one client waits long enough, then another waits a second with no worker
        Response answered = given().contentType(ContentType.JSON).header("Prefer", "wait=20").body("{\"model\":"
                + "\"test-model\",\"prompt\":\"spilled stream\",\"stream\":true}").post("/v1/completions");
        worker.get(30, TimeUnit.SECONDS);
        Response pending = given().contentType(ContentType.JSON).header("Prefer", "wait=1").body("{\"model\":"
                + "\"test-model\",\"prompt\":\"spilled later\",\"stream\":true}").post("/v1/completions");

        // THEN the first gets text_completion chunks and [DONE]; the second, told its job at once (the live relay),
        // a job_pending event naming it when its budget ends
        answered.then().statusCode(200).header("X-Spillway-Lane", "spill");
        List<String> data = dataLines(answered.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        assertThat(chunks(data).get(0).path("object").asText()).isEqualTo("text_completion");
        assertThat(text(chunks(data))).isEqualTo("spilled text");
        pending.then().statusCode(200).header("X-Spillway-Lane", "spill");
        String jobId = pending.header("X-Spillway-Job-Id");
        List<String> events = dataLines(pending.asString());
        assertThat(events).hasSize(1);
        assertThat(JSON.readTree(events.get(0)).path("error").path("code").asText()).isEqualTo("job_pending");
        assertThat(events.get(0)).contains(jobId);
    }

    @Test
    void identicalEmbeddingsInFlight_shareOneJob() {
        // GIVEN
        int jobsBefore = storedJobs();
        String body = "{\"model\":\"test-model\",\"input\":\"coalesce these\"}";

        // WHEN two clients that do not wait ask for the same embeddings
        Response first = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/embeddings");
        Response second = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/embeddings");

        // THEN one job answers both
        first.then().statusCode(202);
        second.then().statusCode(202).header("X-Spillway-Cache", "coalesced");
        assertThat(second.header("X-Spillway-Job-Id")).isEqualTo(first.header("X-Spillway-Job-Id"));
        assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        assertThat(queuedMessages()).isEqualTo(1);
    }

    @Test
    void anIdempotencyKey_replaysItsJob_butNotForTheSameBodyOnAnotherEndpoint() {
        // GIVEN a body both endpoints accept
        String body = "{\"model\":\"test-model\",\"prompt\":\"same body\",\"input\":\"same body\"}";
        Response first = given().contentType(ContentType.JSON).header("Prefer", "wait=0")
                .header("Idempotency-Key", "endpoints-key-1").body(body).post("/v1/completions");

        // WHEN it is retried with the key, then sent with the key to the embeddings endpoint
        Response retry = given().contentType(ContentType.JSON).header("Prefer", "wait=0")
                .header("Idempotency-Key", "endpoints-key-1").body(body).post("/v1/completions");
        Response elsewhere = given().contentType(ContentType.JSON).header("Prefer", "wait=0")
                .header("Idempotency-Key", "endpoints-key-1").body(body).post("/v1/embeddings");

        // THEN the retry gets the original job; the other endpoint's request is a different request: 422
        first.then().statusCode(202);
        retry.then().statusCode(202);
        assertThat(retry.header("X-Spillway-Job-Id")).isEqualTo(first.header("X-Spillway-Job-Id"));
        elsewhere.then().statusCode(422);
        assertThat(queuedMessages()).isEqualTo(1);
    }

    @Test
    void whatAModelsEngineCannotServe_isRefusedAtIntake_namingTheFieldAndTheModel_andNothingIsStored() {
        int jobsBefore = storedJobs();

        assertRefused("/v1/embeddings", "{\"model\":\"tiny-model\",\"input\":\"x\"}", 400, "model", "tiny-model");
        assertRefused("/v1/completions", "{\"model\":\"tiny-model\",\"prompt\":\"x\",\"suffix\":\"y\"}", 400, "suffix",
                "tiny-model");
        assertRefused("/v1/completions", "{\"model\":\"tiny-model\",\"prompt\":\"x\",\"echo\":true}", 400, "echo",
                "tiny-model");
        assertRefused("/v1/embeddings", "{\"model\":\"chat-only-model\",\"input\":\"x\"}", 400, "model",
                "chat-only-model");
        assertRefused("/v1/completions", "{\"model\":\"no-such-model\",\"prompt\":\"x\"}", 404, "model",
                "no-such-model");

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void theTokensLimit_chargesAnEmbeddingItsInputAlone_andATextCompletionItsOutputToo() {
        // GIVEN a key of 300 tokens a minute, sent instead of the fixture's unlimited one
        String key = IntakeFixture.newKey(keys, "tenant-endpoints-tpm", java.util.Set.of(), 0, 300);
        RestAssured.requestSpecification = null;
        String embedding = "{\"model\":\"test-model\",\"input\":\"" + "word ".repeat(200) + "\"}";
        String completion = "{\"model\":\"test-model\",\"prompt\":\"x\",\"max_tokens\":40}";

        // WHEN it embeds 1,000 characters (250 tokens), then asks twice for a 40-token completion
        Response embedded = limited(key, "/v1/embeddings", embedding);
        Response first = limited(key, "/v1/completions", completion);
        Response second = limited(key, "/v1/completions", completion);

        // THEN the embedding cost its 250 input tokens and nothing for output (an output estimate would have taken
        // the whole minute), so one completion fits in the 50 left and the next does not
        embedded.then().statusCode(202);
        first.then().statusCode(202);
        second.then().statusCode(429);
        assertThat(second.jsonPath().getString("error.message")).contains("300 tokens/min");
    }

    private static Response limited(String key, String path, String body) {
        return given().header("Authorization", "Bearer " + key).header("Prefer", "wait=0")
                .contentType(ContentType.JSON).body(body).post(path);
    }

    @Test
    void theModelsList_saysWhichEndpointsEachModelServes() {
        assertThat(given().get("/v1/models/direct-model").jsonPath().getList("endpoints", String.class))
                .containsExactly("/v1/chat/completions", "/v1/completions", "/v1/embeddings");
        assertThat(given().get("/v1/models/tiny-model").jsonPath().getList("endpoints", String.class))
                .containsExactly("/v1/chat/completions", "/v1/completions");
        assertThat(given().get("/v1/models/chat-only-model").jsonPath().getList("endpoints", String.class))
                .containsExactly("/v1/chat/completions");
    }

    private static void assertRefused(String path, String body, int status, String param, String model) {
        Response response = post(path, body);
        response.then().statusCode(status);
        JsonNode error = response.jsonPath().getMap("error") == null ? null
                : JSON.valueToTree(response.jsonPath().getMap("error"));
        assertThat(error).as(body).isNotNull();
        assertThat(error.path("param").asText()).as(body).isEqualTo(param);
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).as(body).contains("`" + model + "`");
    }

    /** A worker for the next interactive job: it answers with what {@code engine} makes of the job. */
    private CompletableFuture<Job> work(Function<Job, ChatCompletion> engine) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Message message = await().atMost(Duration.ofSeconds(20))
                        .until(() -> IntakeFixture.receive("interactive"), Optional::isPresent).orElseThrow();
                String jobId = JSON.readTree(message.body()).get("job").asText();
                Job job = store.find(jobId).orElseThrow();
                IntakeFixture.finish(store, redis, jobId, engine);
                return job;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.path("choices").path(0).path("text").asText("")));
        return text.toString();
    }

    private static Response post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }
}
