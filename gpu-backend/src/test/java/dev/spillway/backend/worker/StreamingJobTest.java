package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.api.ChunkAssembler;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.core.stream.StreamEntry;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A job whose client streams: the worker writes the engine's chunks into the job's live stream as they are generated
 * (read here through the same Redis adapter the intake follows it with), and stores the whole answer as before.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
class StreamingJobTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    JobStreams streams;
    @Inject
    RedisDataSource redis;

    @Test
    void openAiEngine_streamsTheServersChunksAsTheyArrive_andStoresTheAssembledAnswer() throws Exception {
        // GIVEN a streaming job; the server sends its first chunk and is then held by this test ("drip")
        Job job = submit("scripted", "drip stream please", true);
        List<StreamEntry> entries = follow(job.id());

        // WHEN the first chunk is written
        await().atMost(PATIENCE).until(() -> !entries.isEmpty());

        // THEN it is in the stream while the job still runs, as the server wrote it, with the attempt
        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(entries.get(0).kind()).isEqualTo(StreamEntry.Kind.CHUNK);
        assertThat(entries.get(0).attempt()).isEqualTo(1);
        assertThat(JSON.readTree(entries.get(0).data()).path("model").asText()).isEqualTo("upstream");
        // AND the server was asked to stream, with the usage the stored answer needs
        String sent = ScriptedUpstreamResource.upstream().lastBody("drip stream please").replace(" ", "");
        assertThat(sent).contains("\"stream\":true").contains("\"include_usage\":true");

        // WHEN the server goes on
        ScriptedUpstreamResource.upstream().releaseHeld();
        Job done = await().atMost(PATIENCE).until(() -> store.find(job.id()).orElseThrow(),
                j -> j.status() == JobStatus.SUCCEEDED);

        // THEN the stream ends with done after every chunk (the usage last), and they assemble to the stored answer
        await().atMost(PATIENCE).until(() -> !entries.isEmpty() && entries.get(entries.size() - 1).ends());
        assertThat(entries.get(entries.size() - 1).kind()).isEqualTo(StreamEntry.Kind.DONE);
        List<StreamEntry> chunks = entries.subList(0, entries.size() - 1);
        assertThat(chunks).allMatch(entry -> entry.kind() == StreamEntry.Kind.CHUNK);
        assertThat(JSON.readTree(chunks.get(chunks.size() - 1).data()).path("usage").path("total_tokens").asInt())
                .isPositive();
        ChunkAssembler assembler = new ChunkAssembler();
        for (StreamEntry chunk : chunks) {
            assembler.add((ObjectNode) JSON.readTree(chunk.data()));
        }
        assertThat(assembler.completion().orElseThrow().choices().get(0).message().content())
                .isEqualTo("echo: drip stream please")
                .isEqualTo(done.result().choices().get(0).message().content());
        assertThat(done.result().model()).isEqualTo("scripted");
        assertThat(done.result().usage().completionTokens()).isPositive();
    }

    @Test
    void embeddedEngine_streamsEachTokenAsAChunk_andTheChunksAddUpToTheStoredAnswer() throws Exception {
        // GIVEN a streaming job for the tiny random llama.cpp model
        Job job = submit("tiny", "Hello, tiny model", true);
        List<StreamEntry> entries = follow(job.id());

        // WHEN it runs
        Job done = await().atMost(PATIENCE).until(() -> store.find(job.id()).orElseThrow(),
                j -> j.status() == JobStatus.SUCCEEDED);
        await().atMost(PATIENCE).until(() -> !entries.isEmpty() && entries.get(entries.size() - 1).ends());

        // THEN one chunk per sampled piece, a closing chunk with the finish reason, the usage, then done
        assertThat(entries.get(entries.size() - 1).kind()).isEqualTo(StreamEntry.Kind.DONE);
        List<JsonNode> chunks = entries.subList(0, entries.size() - 1).stream().map(entry -> read(entry.data()))
                .toList();
        assertThat(chunks).allMatch(chunk -> chunk.path("object").asText().equals("chat.completion.chunk"))
                .allMatch(chunk -> chunk.path("id").asText().equals(done.result().id()));
        assertThat(chunks.get(0).path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
        JsonNode closing = chunks.get(chunks.size() - 2);
        assertThat(closing.path("choices").path(0).path("finish_reason").asText())
                .isEqualTo(done.result().choices().get(0).finishReason());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.path("choices").isEmpty()).isTrue();
        assertThat(usage.path("usage").path("completion_tokens").asInt())
                .isEqualTo(done.result().usage().completionTokens());
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.path("choices").path(0).path("delta").path("content").asText("")));
        assertThat(text.toString()).isEqualTo(done.result().choices().get(0).message().content());
    }

    @Test
    void embeddedEngine_streamsATextCompletionAsTextCompletionChunks() {
        // GIVEN a streaming /v1/completions job for the tiny random llama.cpp model
        ObjectNode body = JSON.createObjectNode().put("model", "tiny").put("prompt", "Once upon a time")
                .put("max_tokens", 8).put("temperature", 0).put("stream", true);
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE,
                ChatCompletionRequest.of(RequestKind.COMPLETION, body), null, now, now.plus(Duration.ofHours(1)));
        List<StreamEntry> entries = follow(job.id());
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());

        // WHEN it runs
        Job done = await().atMost(PATIENCE).until(() -> store.find(job.id()).orElseThrow(),
                j -> j.status() == JobStatus.SUCCEEDED);
        await().atMost(PATIENCE).until(() -> !entries.isEmpty() && entries.get(entries.size() - 1).ends());

        // THEN every chunk is a text_completion of the stored answer's id, and their texts add up to its text
        assertThat(done.result().object()).isEqualTo("text_completion");
        assertThat(entries.get(entries.size() - 1).kind()).isEqualTo(StreamEntry.Kind.DONE);
        List<JsonNode> chunks = entries.subList(0, entries.size() - 1).stream().map(entry -> read(entry.data()))
                .toList();
        assertThat(chunks).hasSizeGreaterThan(2)
                .allMatch(chunk -> chunk.path("object").asText().equals("text_completion"))
                .allMatch(chunk -> chunk.path("id").asText().equals(done.result().id()));
        JsonNode closing = chunks.get(chunks.size() - 2);
        assertThat(closing.path("choices").path(0).path("finish_reason").asText())
                .isEqualTo(done.result().choices().get(0).finishReason());
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt())
                .isEqualTo(done.result().usage().completionTokens());
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.path("choices").path(0).path("text").asText("")));
        assertThat(text.toString()).isEqualTo(done.result().json().path("choices").path(0).path("text").asText());
    }

    @Test
    void aStreamingJobCancelledWhileRunning_endsItsStreamWithTheCancellation() throws Exception {
        // GIVEN a streaming job the engine is working on
        Job job = submit("scripted", "hold cancelled stream", true);
        List<StreamEntry> entries = follow(job.id());
        await().atMost(PATIENCE).until(() -> ScriptedUpstreamResource.upstream().calls("hold cancelled stream") == 1);

        // WHEN the client cancels and the engine then finishes
        assertThat(store.cancel(job.id(), "default", Instant.now())).isPresent();
        ScriptedUpstreamResource.upstream().releaseHeld();

        // THEN the stream ends with the cancellation in OpenAI's shape, not with done, and the job stays cancelled
        await().atMost(PATIENCE).until(() -> !entries.isEmpty() && entries.get(entries.size() - 1).ends());
        StreamEntry last = entries.get(entries.size() - 1);
        assertThat(last.kind()).isEqualTo(StreamEntry.Kind.ERROR);
        assertThat(JSON.readTree(last.data()).path("error").path("code").asText()).isEqualTo("job_cancelled");
        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void aJobWhoseClientDoesNotStream_writesNoStream() {
        // GIVEN / WHEN
        Job job = submit("tiny", "Hello again, tiny model", false);
        await().atMost(PATIENCE).until(() -> store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED);

        // THEN it paid nothing for streaming
        assertThat(redis.key(String.class).exists("spillway:stream:" + job.id())).isFalse();
    }

    private Job submit(String model, String content, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", 8).put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        if (stream) {
            body.put("stream", true);
        }
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, ChatCompletionRequest.of(body), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());
        return job;
    }

    private List<StreamEntry> follow(String jobId) {
        List<StreamEntry> entries = new CopyOnWriteArrayList<>();
        streams.follow(jobId, "0-0", entries::addAll);
        return entries;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
