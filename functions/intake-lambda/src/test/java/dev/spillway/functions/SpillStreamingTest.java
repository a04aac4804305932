package dev.spillway.functions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.stream.JobStreamWriter;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.core.stream.StreamEntry;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * {@code stream: true} on the spill lane: the test plays the worker through the real job table and the real Redis
 * stream adapter (the worker's own writes are covered in gpu-backend), and reads the intake's answer as a client does,
 * event by event, over HTTP.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class SpillStreamingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STREAM = "{\"model\":\"test-model\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    @Inject
    ApiKeyStore keys;
    @Inject
    JobStore store;
    @Inject
    JobStreams streams;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
        // a stream that never ends fails the test rather than hanging it
        RestAssured.config = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", (int) READ_TIMEOUT.toMillis()));
    }

    @AfterEach
    void closeStreams() throws Exception {
        RestAssured.config = RestAssuredConfig.config();
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Test
    void aSpilledStream_relaysTheWorkersChunksBeforeTheJobIsFinal_thenDone() throws Exception {
        // GIVEN a streamed request that spills, and a worker that has claimed its job and written one chunk
        Events events = post(String.format(STREAM, "live tokens"), 20);
        String jobId = events.jobId();
        Job running = claimQueued(jobId, "worker-1", Instant.now());
        JobStreamWriter writer = streams.writer(jobId, running.attempts());
        writer.chunk(chunk(jobId, "Hel", null));

        // WHEN the client reads while the engine is held mid-answer by this test
        Event first = events.nextData();

        // THEN the first chunk arrived while the job is still running, with an id to resume from
        assertThat(store.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(first.id()).isNotBlank();
        JsonNode firstChunk = JSON.readTree(first.data());
        assertThat(firstChunk.path("choices").path(0).path("delta").path("content").asText()).isEqualTo("Hel");
        assertThat(firstChunk.path("model").asText()).as("renamed to the client's model").isEqualTo("test-model");

        // AND WHEN the engine goes on and the worker stores the answer
        writer.chunk(chunk(jobId, "lo", null));
        writer.chunk(chunk(jobId, null, "stop"));
        writer.chunk(usageChunk(jobId));
        succeed(jobId, "worker-1", "Hello");
        writer.end(StreamEntry.Kind.DONE, "");

        // THEN the rest follows, the usage chunk (asked for) last, then [DONE]; every event carries an id
        List<Event> rest = events.remainingData();
        assertThat(rest).extracting(Event::id).doesNotContainNull();
        assertThat(rest).extracting(Event::data).last().isEqualTo("[DONE]");
        assertThat(JSON.readTree(rest.get(0).data()).path("choices").path(0).path("delta").path("content").asText())
                .isEqualTo("lo");
        assertThat(JSON.readTree(rest.get(rest.size() - 2).data()).path("usage").path("total_tokens").asInt())
                .isEqualTo(5);
    }

    @Test
    void whileTheJobIsQueued_commentsKeepTheConnection_andTheBudgetEndsWithJobPending() throws Exception {
        // GIVEN no worker runs; keep-alives come every 0.3 s in tests
        Events events = post(String.format(STREAM, "nobody runs this"), 2);

        // WHEN / THEN comments arrive while the job waits, then the job_pending end naming the job
        List<Event> all = events.remaining();
        assertThat(all).filteredOn(Event::isComment).extracting(Event::comment).contains(": queued");
        List<Event> data = all.stream().filter(event -> !event.isComment()).toList();
        assertThat(data).hasSize(1);
        JsonNode error = JSON.readTree(data.get(0).data()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("job_pending");
        assertThat(error.path("message").asText()).contains(events.jobId());
        assertThat(store.find(events.jobId()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void resumingWithLastEventId_yieldsExactlyTheEventsAfterIt() throws Exception {
        // GIVEN a streamed job whose worker wrote three chunks, the usage and the end
        String jobId = submitAsync(String.format(STREAM, "resume me"));
        JobStreamWriter writer = streams.writer(jobId, claimQueued(jobId, "worker-1", Instant.now()).attempts());
        writer.chunk(chunk(jobId, "a", null));
        writer.chunk(chunk(jobId, "b", null));
        writer.chunk(chunk(jobId, "c", "stop"));
        writer.chunk(usageChunk(jobId));
        succeed(jobId, "worker-1", "abc");
        writer.end(StreamEntry.Kind.DONE, "").get(5, TimeUnit.SECONDS);
        List<Event> whole = parse(given().get("/v1/jobs/" + jobId + "/events").then().statusCode(200)
                .extract().asString());

        // WHEN a client that received the first two events resumes
        String body = given().header("Last-Event-ID", whole.get(1).id()).get("/v1/jobs/" + jobId + "/events")
                .then().statusCode(200).extract().asString();

        // THEN it gets exactly the rest, ids and data alike
        assertThat(whole).hasSize(5);
        assertThat(parse(body)).containsExactlyElementsOf(whole.subList(2, whole.size()));
    }

    @Test
    void aClientThatDidNotAskForUsage_getsNoUsageChunk_thoughTheWorkerWroteOne() throws Exception {
        // GIVEN a streamed job without stream_options, whose worker wrote the usage the stored answer needs
        String jobId = submitAsync("{\"model\":\"test-model\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"no usage please\"}]}");
        JobStreamWriter writer = streams.writer(jobId, claimQueued(jobId, "worker-1", Instant.now()).attempts());
        writer.chunk(chunk(jobId, "x", "stop"));
        writer.chunk(usageChunk(jobId));
        succeed(jobId, "worker-1", "x");
        writer.end(StreamEntry.Kind.DONE, "").get(5, TimeUnit.SECONDS);

        // WHEN
        List<Event> events = parse(given().get("/v1/jobs/" + jobId + "/events").then().statusCode(200)
                .extract().asString());

        // THEN the chunk and [DONE], nothing else
        assertThat(events).extracting(Event::data).hasSize(2).last().isEqualTo("[DONE]");
        assertThat(events.get(0).data()).doesNotContain("\"usage\"");
    }

    @Test
    void aClientThatDisconnects_doesNotLoseTheJob() throws Exception {
        // GIVEN a client that read the first chunk and went away
        Events events = post(String.format(STREAM, "leaving early"), 20);
        String jobId = events.jobId();
        JobStreamWriter writer = streams.writer(jobId, claimQueued(jobId, "worker-1", Instant.now()).attempts());
        writer.chunk(chunk(jobId, "first", null));
        events.nextData();
        events.close();

        // WHEN the worker finishes
        writer.chunk(chunk(jobId, " second", "stop"));
        succeed(jobId, "worker-1", "first second");
        writer.end(StreamEntry.Kind.DONE, "");

        // THEN the job holds the whole answer
        Response job = given().get("/v1/jobs/" + jobId);
        job.then().statusCode(200);
        assertThat(job.jsonPath().getString("status")).isEqualTo("succeeded");
        assertThat(job.jsonPath().getString("result.choices[0].message.content")).isEqualTo("first second");
    }

    @Test
    void aFailureMidStream_endsWithAnErrorEvent_neverWithDone() throws Exception {
        // GIVEN
        Events events = post(String.format(STREAM, "fails half-way"), 20);
        String jobId = events.jobId();
        JobStreamWriter writer = streams.writer(jobId, claimQueued(jobId, "worker-1", Instant.now()).attempts());
        writer.chunk(chunk(jobId, "half", null));
        events.nextData();

        // WHEN the engine refuses to go on and the job fails for good
        JobError error = JobError.rejected("context_length_exceeded", "too long");
        store.fail(jobId, "worker-1", error, Instant.now()).orElseThrow();
        writer.end(StreamEntry.Kind.ERROR, "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"context_length_exceeded\"}}");

        // THEN the stream ends with the error in OpenAI's shape, and no [DONE]
        List<Event> rest = events.remainingData();
        assertThat(rest).extracting(Event::data).doesNotContain("[DONE]");
        assertThat(JSON.readTree(rest.get(rest.size() - 1).data()).path("error").path("code").asText())
                .isEqualTo("context_length_exceeded");
    }

    @Test
    void aJobRerunAfterItsWorkerDiedMidStream_endsTheStreamNamingTheJob_andTheNewAttemptStreamsFromItsStart()
            throws Exception {
        // GIVEN a client holding part of attempt 1, whose worker then dies (it writes nothing more)
        Events events = post(String.format(STREAM, "worker dies"), 20);
        String jobId = events.jobId();
        Instant claimed = Instant.now();
        JobStreamWriter first = streams.writer(jobId, claimQueued(jobId, "worker-1", claimed).attempts());
        first.chunk(chunk(jobId, "attempt one", null));
        events.nextData();

        // WHEN another worker takes the job over once the lease lapsed and streams attempt 2
        Job second = store.claim(jobId, "worker-2", claimed.plusSeconds(61), claimed.plusSeconds(120)).orElseThrow();
        assertThat(second.attempts()).isEqualTo(2);
        JobStreamWriter writer = streams.writer(jobId, second.attempts());
        writer.chunk(chunk(jobId, "attempt two", null));

        // THEN the client's stream ends with an error naming the job, never mixing the two attempts' text
        List<Event> rest = events.remainingData();
        assertThat(rest).hasSize(1);
        JsonNode error = JSON.readTree(rest.get(0).data()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("job_retried");
        assertThat(error.path("message").asText()).contains(jobId);

        // AND following the job afresh gives attempt 2 from its start, to its end
        writer.chunk(chunk(jobId, " done", "stop"));
        writer.chunk(usageChunk(jobId));
        store.succeed(jobId, "worker-2", completion(jobId, "attempt two done"), claimed.plusSeconds(62))
                .orElseThrow();
        writer.end(StreamEntry.Kind.DONE, "").get(5, TimeUnit.SECONDS);
        List<Event> fresh = parse(given().get("/v1/jobs/" + jobId + "/events").then().statusCode(200)
                .extract().asString());
        assertThat(fresh).extracting(Event::data).last().isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (Event event : fresh.subList(0, fresh.size() - 1)) {
            text.append(JSON.readTree(event.data()).path("choices").path(0).path("delta").path("content").asText());
        }
        assertThat(text.toString()).isEqualTo("attempt two done");
    }

    @Test
    void aMalformedLastEventId_isA400InOpenAisShape() {
        String jobId = submitAsync(String.format(STREAM, "bad resume"));

        Response response = given().header("Last-Event-ID", "not-an-id").get("/v1/jobs/" + jobId + "/events");

        response.then().statusCode(400).contentType(ContentType.JSON);
        assertThat(response.jsonPath().getString("error.type")).isEqualTo("invalid_request_error");
        assertThat(response.jsonPath().getString("error.code")).isEqualTo("invalid_last_event_id");
        assertThat(response.jsonPath().getString("error.param")).isEqualTo("Last-Event-ID");
    }

    @Test
    void resumingAnotherTenantsJob_isA404InOpenAisShape() {
        // GIVEN a streamed job of the default tenant, and a caller of another tenant
        String jobId = submitAsync(String.format(STREAM, "not yours"));
        String otherKey = IntakeFixture.newKey(keys, "other-tenant", Set.of(), 0, 0);

        RestAssured.requestSpecification = null;
        Response response = given().header("Authorization", "Bearer " + otherKey)
                .header("Last-Event-ID", "1.1-0").get("/v1/jobs/" + jobId + "/events");

        response.then().statusCode(404).contentType(ContentType.JSON);
        assertThat(response.jsonPath().getString("error.code")).isEqualTo("job_not_found");
    }

    @Test
    void theEventsOfAJobThatDoesNotStream_isA400() {
        String jobId = submitAsync(IntakeFixture.chat("plain job"));

        Response response = given().get("/v1/jobs/" + jobId + "/events");

        response.then().statusCode(400).contentType(ContentType.JSON);
        assertThat(response.jsonPath().getString("error.code")).isEqualTo("job_not_streamed");
    }

    // ---- the test's worker

    /** Claims the job as a worker that received its message would. */
    private Job claimQueued(String jobId, String worker, Instant now) {
        return store.claim(jobId, worker, now, now.plusSeconds(60)).orElseThrow();
    }

    private void succeed(String jobId, String worker, String content) {
        store.succeed(jobId, worker, completion(jobId, content), Instant.now()).orElseThrow();
    }

    private static ChatCompletion completion(String jobId, String content) {
        return ChatCompletion.of("chatcmpl-" + jobId, 1, "test-model", content, "stop", Usage.of(3, 2));
    }

    /** A chunk as vLLM writes it, under the engine's own model name. */
    private static String chunk(String jobId, String content, String finishReason) {
        String delta = content == null ? "{}" : "{\"content\":" + JSON.valueToTree(content) + "}";
        return "{\"id\":\"chatcmpl-" + jobId + "\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"served-name\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}";
    }

    private static String usageChunk(String jobId) {
        return "{\"id\":\"chatcmpl-" + jobId + "\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"served-name\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
                + "\"total_tokens\":5}}";
    }

    // ---- the client

    private static String submitAsync(String body) {
        String jobId = given().contentType(ContentType.JSON).body(body).post("/v1/jobs").then().statusCode(202)
                .extract().jsonPath().getString("id");
        return jobId;
    }

    private Events post(String body, int waitSeconds) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                + "/v1/chat/completions")).header("Authorization", "Bearer " + IntakeFixture.KEY)
                .header("Content-Type", "application/json").header("Prefer", "wait=" + waitSeconds)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(response.headers().firstValue("X-Spillway-Lane")).contains("spill");
        Events events = new Events(response.headers().firstValue("X-Spillway-Job-Id").orElseThrow(), response.body());
        open.add(events);
        return events;
    }

    private static List<Event> parse(String body) {
        List<Event> events = new ArrayList<>();
        Iterator<String> lines = body.lines().iterator();
        Event event;
        while ((event = Events.read(lines)) != null) {
            if (!event.isComment()) {
                events.add(event);
            }
        }
        return events;
    }

    /** One server-sent event: its id and data, or a comment line. */
    record Event(String id, String data, String comment) {
        boolean isComment() {
            return comment != null;
        }
    }

    /** A client's view of an event stream, read event by event as the server sends it. */
    static final class Events implements AutoCloseable {

        private final String jobId;
        private final Stream<String> body;
        private final Iterator<String> lines;

        Events(String jobId, Stream<String> body) {
            this.jobId = jobId;
            this.body = body;
            this.lines = body.iterator();
        }

        String jobId() {
            return jobId;
        }

        Event nextData() throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                Event event;
                do {
                    event = read(lines);
                } while (event != null && event.isComment());
                return event;
            }).get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        List<Event> remaining() throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                List<Event> events = new ArrayList<>();
                Event event;
                while ((event = read(lines)) != null) {
                    events.add(event);
                }
                return events;
            }).get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        List<Event> remainingData() throws Exception {
            return remaining().stream().filter(event -> !event.isComment()).toList();
        }

        /** The next event or comment, or null at the end of the stream. */
        static Event read(Iterator<String> lines) {
            String id = null;
            StringBuilder data = null;
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data != null || id != null) {
                        return new Event(id, data == null ? null : data.toString(), null);
                    }
                    continue;
                }
                if (line.startsWith(":")) {
                    return new Event(null, null, line);
                }
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n')
                            .append(line.substring(6));
                }
            }
            return data == null ? null : new Event(id, data.toString(), null);
        }

        @Override
        public void close() {
            body.close();
        }
    }
}
