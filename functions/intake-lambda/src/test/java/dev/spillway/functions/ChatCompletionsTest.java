package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static dev.spillway.functions.IntakeFixture.deterministicChat;
import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.cache.redis.RedisResultStore;
import dev.spillway.core.config.NoticeConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatCompletionsTest {

    @Inject
    JobStore store;
    @Inject
    RedisDataSource redis;
    @Inject
    RedisResultStore l2;
    @Inject
    CompletionNotices notices;
    @Inject
    NoticeConfig noticeConfig;

    private final ObjectMapper json = new ObjectMapper();

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void create_whenNoResultWithinBudget_answers202WithTheQueuedJob() {
        // GIVEN no worker runs
        int jobsBefore = storedJobs();

        // WHEN the client asks not to wait
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=0")
                .body(chat("hello")).post("/v1/chat/completions");

        // THEN a job is stored and queued on the interactive tier, and the client is told where to find it
        response.then().statusCode(202)
                .header("Location", matchesPattern("/v1/jobs/job_[0-9a-z]{26}"))
                .header("Retry-After", notNullValue())
                .header("X-Spillway-Lane", "spill")
                .body("object", equalTo("job"))
                .body("status", equalTo("queued"))
                .body("model", equalTo("test-model"))
                .body("links.self", equalTo(response.header("Location")));
        String jobId = response.jsonPath().getString("id");
        assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        Job job = store.find(jobId).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.tier()).isEqualTo(Tier.INTERACTIVE);
        assertThat(job.request().messages().get(0).content()).isEqualTo("hello");
        assertThat(IntakeFixture.receive("interactive")).hasValueSatisfying(
                message -> assertThat(message.body()).contains(jobId));
    }

    @Test
    void create_whenTheJobFinishesWithinBudget_answers200WithTheCompletion() throws Exception {
        // GIVEN a worker that finishes whatever reaches the interactive queue
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            try {
                IntakeFixture.finish(store, redis, nextInteractiveJobId(), "Hi there!");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // WHEN the client waits up to 10 s
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=10")
                .body(chat("say hi")).post("/v1/chat/completions");

        // THEN it gets the chat.completion itself
        worker.get();
        response.then().statusCode(200)
                .header("X-Spillway-Job-Id", matchesPattern("job_[0-9a-z]{26}"))
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("test-model"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", equalTo("Hi there!"))
                .body("choices[0].finish_reason", equalTo("stop"))
                .body("usage.total_tokens", equalTo(5));
    }

    @Test
    void create_whenTheNoticeCarriesTheFinishedJob_answersFromItWithoutReadingTheStore() throws Exception {
        // GIVEN a worker that claims the job and, once the intake waits for it with notices live (Redis confirmed
        // the intake's subscription), announces it finished, carrying the final job in the notice, while the store
        // still says RUNNING (were the intake to read the store, it would wait out its budget). A notice sent before
        // anyone waits is lost by design: a real worker writes the store first, and the waiter's first read finds it.
        CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
            try {
                String jobId = nextInteractiveJobId();
                Instant now = Instant.now();
                Job running = store.claim(jobId, "test-worker", now, now.plusSeconds(60)).orElseThrow();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> notices.isWatched(jobId) && notices.isLive()
                                && subscribersOf(noticeConfig.channel()) >= 1);
                ChatCompletion announced = ChatCompletion.of("chatcmpl-" + jobId, now.getEpochSecond(),
                        running.model(), "from the notice", "stop", Usage.of(3, 2));
                notices.publish(new Job(running.id(), running.tenant(), JobStatus.SUCCEEDED, running.tier(),
                        running.request(), running.cacheKey(), running.created(), running.deadline(),
                        running.started(), now, null, null, running.attempts(), announced, null, null, null, null, null));
                return jobId;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // WHEN the client waits up to 3 s
        Response response = given().contentType(ContentType.JSON).header("Prefer", "wait=3")
                .body(chat("answer from the notice")).post("/v1/chat/completions");

        // THEN the answer is the notice's, and the store never saw it
        String jobId = worker.get();
        response.then().statusCode(200)
                .header("X-Spillway-Job-Id", jobId)
                .body("choices[0].message.content", equalTo("from the notice"));
        assertThat(store.find(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void create_whenADeterministicRequestRepeats_answersFromTheCacheWithoutANewJob() throws Exception {
        // GIVEN a deterministic request that was answered once
        String body = deterministicChat("what is 2+2? " + System.nanoTime());
        Response first = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/chat/completions");
        first.then().statusCode(202).header("X-Spillway-Cache", "miss");
        IntakeFixture.finish(store, redis, first.jsonPath().getString("id"), "4");
        IntakeFixture.purgeQueues();
        int jobsBefore = storedJobs();

        // WHEN the same request arrives twice more
        Response second = given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions");
        Response third = given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions");

        // THEN both are answered from the cache (Redis first, then this instance's memory), with no new work
        second.then().statusCode(200).header("X-Spillway-Cache", "hit-l2").header("X-Spillway-Lane", "cache")
                .body("choices[0].message.content", equalTo("4"));
        third.then().statusCode(200).header("X-Spillway-Cache", "hit-l1")
                .body("choices[0].message.content", equalTo("4"));
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void identicalRequestsWhileTheFirstRuns_attachToItsJob() throws Exception {
        // GIVEN a deterministic request whose job is still queued
        String body = deterministicChat("coalesce me " + System.nanoTime());
        Response first = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/chat/completions");
        first.then().statusCode(202).header("X-Spillway-Cache", "miss");
        int jobsBefore = storedJobs();

        // WHEN the same request arrives twice more
        Response second = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/chat/completions");
        Response third = given().contentType(ContentType.JSON).body(body).post("/v1/jobs");

        // THEN they share the first job: no new job, no new message, and they get its answer
        second.then().statusCode(202).header("X-Spillway-Cache", "coalesced");
        third.then().statusCode(202).header("X-Spillway-Cache", "coalesced");
        String jobId = first.jsonPath().getString("id");
        assertThat(second.jsonPath().getString("id")).isEqualTo(jobId);
        assertThat(third.jsonPath().getString("id")).isEqualTo(jobId);
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isEqualTo(1);
        IntakeFixture.finish(store, redis, jobId, "shared answer");
        given().get("/v1/jobs/" + jobId).then().statusCode(200)
                .body("result.choices[0].message.content", equalTo("shared answer"));
    }

    @Test
    void create_whenCacheControlNoCache_bypassesTheCacheAndQueuesAJob() throws Exception {
        String body = deterministicChat("cached answer " + System.nanoTime());
        Response first = given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body)
                .post("/v1/chat/completions");
        IntakeFixture.finish(store, redis, first.jsonPath().getString("id"), "cached");
        int jobsBefore = storedJobs();

        given().contentType(ContentType.JSON).header("Prefer", "wait=0").header("Cache-Control", "no-cache")
                .body(body).post("/v1/chat/completions")
                .then().statusCode(202).header("X-Spillway-Cache", "bypass");

        assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
    }

    @Test
    void create_whenNonDeterministic_isNotCachedUnlessForced() {
        String body = chat("creative " + System.nanoTime());

        given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(body).post("/v1/chat/completions")
                .then().statusCode(202).header("X-Spillway-Cache", "bypass");
        Response forced = given().contentType(ContentType.JSON).header("Prefer", "wait=0")
                .header("X-Spillway-Cache", "force").body(body).post("/v1/chat/completions");

        forced.then().statusCode(202).header("X-Spillway-Cache", "miss");
        assertThat(store.find(forced.jsonPath().getString("id")).orElseThrow().cacheKey()).isNotNull();
    }

    /** Runs last: it stops the Redis server every test here shares. */
    @Test
    @Order(Integer.MAX_VALUE)
    void create_whenRedisIsDown_stillQueuesTheJob() {
        var redisServer = SpillwayTestResource.cloud().redis().orElseThrow();
        redisServer.stop();
        try {
            int jobsBefore = storedJobs();

            given().contentType(ContentType.JSON).header("Prefer", "wait=1")
                    .body(deterministicChat("redis is gone " + System.nanoTime())).post("/v1/chat/completions")
                    .then().statusCode(202).body("status", equalTo("queued"));

            assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        } finally {
            redisServer.start();
            // The intake's Redis circuit breaker closes again once a probe gets through.
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> l2.get("probe").isEmpty());
        }
    }

    /** How many connections Redis itself counts as subscribed to the channel. */
    private long subscribersOf(String channel) {
        return redis.execute("PUBSUB", "NUMSUB", channel).get(1).toLong();
    }

    /** Waits for the next message on the interactive queue, as a worker would, and returns its job id. */
    private String nextInteractiveJobId() throws Exception {
        var message = await().atMost(Duration.ofSeconds(10))
                .until(() -> IntakeFixture.receive("interactive"), java.util.Optional::isPresent).orElseThrow();
        return json.readTree(message.body()).get("job").asText();
    }
}
