package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static dev.spillway.functions.SseData.chunks;
import static dev.spillway.functions.SseData.dataLines;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChunkAssembler;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.JobStore;
import dev.spillway.local.emulators.ScriptedUpstream;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * {@code stream: true} on the direct lane and from the cache, against a real HTTP upstream on loopback that streams
 * ({@link ScriptedUpstream}): OpenAI's chunk format ending with {@code data: [DONE]}, the usage chunk when asked for,
 * every field of the upstream's chunks kept, and a stream that breaks off ending with an error event.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@QuarkusTestResource(value = DirectLaneUpstreams.class, restrictToAnnotatedClass = true)
class StreamingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM = "{\"model\":\"direct-model\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]%s}";

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
    void directLane_relaysTheUpstreamsChunksWithEveryField_thenDone() throws Exception {
        // GIVEN
        int jobsBefore = storedJobs();

        // WHEN a client streams a request the upstream answers with reasoning and a tool call
        Response response = post(String.format(STREAM, "rich: streamed", ",\"stream_options\":{\"include_usage\":true}"));

        // THEN server-sent events, every chunk as the upstream sent it but for the model name, then [DONE]
        response.then().statusCode(200).header("X-Spillway-Lane", "direct");
        assertThat(response.contentType()).startsWith("text/event-stream");
        List<String> data = dataLines(response.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(data);
        List<JsonNode> expected = new ArrayList<>();
        for (String chunk : ScriptedUpstream.RICH_CHUNKS) {
            expected.add(((ObjectNode) JSON.readTree(chunk)).put("model", "direct-model"));
        }
        assertThat(chunks.subList(0, expected.size())).isEqualTo(expected);
        // AND the usage chunk the client asked for, with DeepSeek's cache fields
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("prompt_cache_hit_tokens").asInt()).isEqualTo(8);
        // AND the upstream was asked to stream, as the client asked
        assertThat(JSON.readTree(DirectLaneUpstreams.a().lastBody("rich: streamed")).path("stream").asBoolean())
                .isTrue();
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void directLane_withoutIncludeUsage_sendsNoUsageChunk() throws Exception {
        // WHEN
        Response response = post(String.format(STREAM, "no usage please", ""));

        // THEN the words as chunks, no usage, then [DONE]
        List<String> data = dataLines(response.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(data);
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.path("choices").path(0).path("delta").path("content").asText("")));
        assertThat(text.toString()).isEqualTo("echo: no usage please");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
    }

    @Test
    void aTargetAskingToWaitPastTheBudget_isNotWaitedFor_theNextTargetStreams() throws Exception {
        // WHEN the first target answers 429 with a Retry-After longer than the client's wait
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=10")
                .body(String.format(STREAM, "busy:60@a then secondary", "")).post("/v1/chat/completions");

        // THEN the second target streams the answer, and the first was not called again
        response.then().statusCode(200).header("X-Spillway-Target", "secondary");
        List<String> data = dataLines(response.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        assertThat(DirectLaneUpstreams.a().calls("busy:60@a then secondary")).isEqualTo(1);
    }

    @Test
    void aStreamCutShort_endsWithAnErrorEvent_neverWithDone() throws Exception {
        // WHEN the upstream ends its body after two chunks
        Response response = post(String.format(STREAM, "cutstream now", ""));

        // THEN the client got those chunks, then an error in OpenAI's shape, and no [DONE]
        response.then().statusCode(200);
        List<String> data = dataLines(response.asString());
        assertThat(data).doesNotContain("[DONE]");
        assertThat(data).hasSize(3);
        JsonNode error = JSON.readTree(data.get(2)).path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_stream_incomplete");
        assertThat(error.has("param")).isTrue();
    }

    @Test
    void aCompletedCacheableStream_isCached_andReplayedAsChunksAndAsAWholeAnswer() throws Exception {
        // GIVEN a deterministic streamed request that completed with its usage
        String request = String.format(STREAM, "rich: stream then cache",
                ",\"temperature\":0,\"stream_options\":{\"include_usage\":true}");
        List<JsonNode> original = chunks(dataLines(post(request).asString()));

        // WHEN the same request streams again, once the answer is stored
        Response replay = await().atMost(Duration.ofSeconds(10)).until(() -> post(request),
                response -> "cache".equals(response.header("X-Spillway-Lane")));

        // THEN it is answered from the cache as chunks that tell the same answer, usage included, then [DONE]
        List<String> data = dataLines(replay.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        assertThat(assemble(chunks(data))).isEqualTo(assemble(original));
        assertThat(DirectLaneUpstreams.a().calls("rich: stream then cache")).isEqualTo(1);
        // AND a client that does not stream gets the whole answer from the cache
        Response whole = post(request.replace("\"stream\":true,", "").replace(",\"stream_options\":{\"include_usage\":true}", ""));
        whole.then().statusCode(200).header("X-Spillway-Lane", "cache");
        JsonNode answer = JSON.readTree(whole.asByteArray());
        assertThat(answer.path("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.path("choices").path(0).path("message").path("reasoning_content").asText())
                .isEqualTo("The user wants the weather.");
        assertThat(answer.path("choices").path(0).path("message").path("tool_calls").path(0).path("function")
                .path("arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(answer.path("usage").path("prompt_cache_hit_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void aStreamedRequestOfAModelWithoutDirectTargets_isAnsweredAsChunksWhenItsJobFinishes() throws Exception {
        // GIVEN a streamed request for a model only the fleet serves
        String request = "{\"model\":\"test-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"spilled stream\"}]}";
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            try {
                Message message = await().atMost(Duration.ofSeconds(20))
                        .until(() -> IntakeFixture.receive("interactive"), Optional::isPresent).orElseThrow();
                IntakeFixture.finish(store, redis, JSON.readTree(message.body()).get("job").asText(), "spilled answer");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // WHEN
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=20").body(request)
                .post("/v1/chat/completions");
        worker.get(30, TimeUnit.SECONDS);

        // THEN the job's answer comes as chunks, usage last, then [DONE]
        response.then().statusCode(200).header("X-Spillway-Lane", "spill");
        List<String> data = dataLines(response.asString());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(data);
        assertThat(chunks.get(0).path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(chunks.get(0).path("choices").path(0).path("delta").path("content").asText()).isEqualTo("spilled answer");
        assertThat(chunks.get(chunks.size() - 1).path("usage").isObject()).isTrue();
    }

    @Test
    void aStreamedRequestWhoseJobIsNotDoneWithinTheBudget_endsWithAnEventNamingTheJob() throws Exception {
        // GIVEN no worker runs, and the client waits a second
        int jobsBefore = storedJobs();

        // WHEN
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=1").body("{\"model\":"
                + "\"test-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"later\"}]}")
                .post("/v1/chat/completions");

        // THEN a stream (its headers left at once, naming the job) whose one event is an error in OpenAI's shape
        // naming the job, and no [DONE]
        response.then().statusCode(200).header("X-Spillway-Lane", "spill");
        assertThat(response.contentType()).startsWith("text/event-stream");
        String jobId = response.header("X-Spillway-Job-Id");
        assertThat(response.header("Location")).isEqualTo("/v1/jobs/" + jobId);
        List<String> data = dataLines(response.asString());
        assertThat(data).hasSize(1);
        JsonNode error = JSON.readTree(data.get(0)).path("error");
        assertThat(error.path("code").asText()).isEqualTo("job_pending");
        assertThat(error.path("message").asText()).contains(jobId);
        // AND the job goes on
        assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        given().get("/v1/jobs/" + jobId).then().statusCode(200);
    }

    private static JsonNode assemble(List<JsonNode> chunks) {
        ChunkAssembler assembler = new ChunkAssembler();
        chunks.forEach(chunk -> assembler.add((ObjectNode) chunk));
        ObjectNode whole = assembler.completion().orElseThrow().json();
        whole.remove("model");
        return whole;
    }

    private static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions");
    }
}
