package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.intake.Jobs;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class JobsApiTest {

    @Inject
    JobStore store;
    @Inject
    RedisDataSource redis;
    @Inject
    Jobs jobs;
    @Inject
    CompletionNotices notices;

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    private String submit(String content) {
        return given().contentType(ContentType.JSON).body(chat(content)).post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
    }

    @Test
    void submit_answers202AtOnceAndQueuesOnTheStandardTier() {
        var response = given().contentType(ContentType.JSON).body(chat("fire and forget")).post("/v1/jobs");

        response.then().statusCode(202).body("status", equalTo("queued")).body("tier", equalTo("standard"));
        String id = response.path("id");
        assertThat(response.header("Location")).isEqualTo("/v1/jobs/" + id);

        assertThat(store.find(id).orElseThrow().tier()).isEqualTo(Tier.STANDARD);
        assertThat(IntakeFixture.receive("standard")).isPresent();
    }

    @Test
    void get_returnsTheJobAndItsCompletionOnceDone() throws Exception {
        String id = submit("read me back");
        given().get("/v1/jobs/" + id).then().statusCode(200)
                .header("Retry-After", notNullValue())
                .body("id", equalTo(id)).body("status", equalTo("queued")).body("result", nullValue())
                .body("created_at", notNullValue()).body("started_at", nullValue());

        IntakeFixture.finish(store, redis, id, "done!");

        given().get("/v1/jobs/" + id).then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("attempts", equalTo(1))
                .body("started_at", notNullValue())
                .body("finished_at", notNullValue())
                .body("result.object", equalTo("chat.completion"))
                .body("result.choices[0].message.content", equalTo("done!"))
                .body("result.usage.total_tokens", equalTo(5));
    }

    @Test
    void get_withWait_longPollsUntilTheJobFinishes() throws Exception {
        // GIVEN a queued job, and a worker that finishes it only once the GET below is waiting for it (finished
        // earlier, the GET would answer at once and prove nothing about long polling)
        String id = submit("long poll me");
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> notices.isWatched(id));
                IntakeFixture.finish(store, redis, id, "finished while you waited");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        // WHEN the client long-polls, THEN the request is held until the job finished and answers with the result

        given().get("/v1/jobs/" + id + "?wait=10").then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("result.choices[0].message.content", equalTo("finished while you waited"));
        worker.get();
    }

    @Test
    void get_withWait_answersWithTheUnfinishedJobWhenTheBudgetRunsOut() {
        String id = submit("nobody will run me");

        given().get("/v1/jobs/" + id + "?wait=1").then().statusCode(200).body("status", equalTo("queued"));
    }

    @Test
    void get_unknownJob_is404AndMalformedIdIs400() {
        given().get("/v1/jobs/job_00000000000000000000000000").then().statusCode(404)
                .body("error.code", equalTo("job_not_found")).body("error.type", equalTo("not_found_error"));
        given().get("/v1/jobs/not-a-job").then().statusCode(400)
                .body("error.code", equalTo("invalid_job_id")).body("error.param", equalTo("job_id"));
    }

    @Test
    void delete_cancelsAQueuedJobOnceAndRefusesAFinishedOne() throws Exception {
        String queued = submit("cancel me");
        given().delete("/v1/jobs/" + queued).then().statusCode(200).body("status", equalTo("cancelled"))
                .body("finished_at", notNullValue());
        assertThat(store.find(queued).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        given().delete("/v1/jobs/" + queued).then().statusCode(409).body("error.code", equalTo("job_already_finished"));

        String finished = submit("too late to cancel");
        IntakeFixture.finish(store, redis, finished, "already done");
        given().delete("/v1/jobs/" + finished).then().statusCode(409);
        assertThat(store.find(finished).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void delete_ofARunningJob_cancelsItAndTheWorkersResultIsRefused() {
        String id = submit("cancel me while running");
        java.time.Instant now = java.time.Instant.now();
        store.claim(id, "busy-worker", now, now.plusSeconds(60)).orElseThrow();

        given().delete("/v1/jobs/" + id).then().statusCode(200).body("status", equalTo("cancelled"));

        boolean stored = store.succeed(id, "busy-worker", dev.spillway.core.api.ChatCompletion.of("x", 0, "test-model",
                "late", "stop", dev.spillway.core.api.Usage.of(1, 1)), now).isPresent();
        assertThat(stored).isFalse();
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
    }

    @Test
    void chatCompletion_waitingOnACancelledJob_isToldSo() {
        // One Lambda instance serves one request at a time, so the cancel comes through the service, as it
        // would from a second instance.
        CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
            var message = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> IntakeFixture.receive("interactive"), java.util.Optional::isPresent).orElseThrow();
            String id = message.body().replaceAll(".*\"(job_[0-9a-z]+)\".*", "$1");
            assertThat(jobs.cancel(new Caller("default", Tier.INTERACTIVE, null), id).status()).isEqualTo(JobStatus.CANCELLED);
        });

        given().contentType(ContentType.JSON).header("Prefer", "wait=10").body(chat("wait for me"))
                .post("/v1/chat/completions")
                .then().statusCode(409).body("error.code", equalTo("job_cancelled"));
        canceller.join();
    }

    @Test
    void models_listsTheConfiguredModels() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("test-model", "other-model"))
                .body("data[0].object", equalTo("model"));
        given().get("/v1/models/test-model").then().statusCode(200).body("id", equalTo("test-model"));
        given().get("/v1/models/gpt-17").then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void unknownRoutesAndMethods_answerInTheOpenAiErrorShape() {
        given().get("/v1/nothing-here").then().statusCode(404)
                .body("error.code", equalTo("unknown_url")).body("error.type", equalTo("invalid_request_error"));
        given().contentType(ContentType.JSON).body("{}").put("/v1/chat/completions").then().statusCode(405)
                .body("error.code", equalTo("method_not_allowed"));
    }
}
