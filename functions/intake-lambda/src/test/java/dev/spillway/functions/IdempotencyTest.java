package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** {@code Idempotency-Key}: a retried submit returns the original job, never a copy. */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class IdempotencyTest {

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    private static Response submit(String path, String key, String body) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key).header("Prefer", "wait=0")
                .body(body).post(path);
    }

    @Test
    void retriedJobSubmit_returnsTheOriginalJobAndStoresNothingNew() {
        String key = "retry-" + System.nanoTime();
        Response first = submit("/v1/jobs", key, chat("exactly once"));
        int jobsAfterFirst = storedJobs();

        Response retry = submit("/v1/jobs", key, chat("exactly once"));

        first.then().statusCode(202);
        retry.then().statusCode(202).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.path("id")));
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(storedJobs()).isEqualTo(jobsAfterFirst);
        assertThat(queuedMessages()).isEqualTo(1);
    }

    @Test
    void retriedChatCompletion_waitsOnTheOriginalJob() {
        String key = "chat-" + System.nanoTime();
        String first = submit("/v1/chat/completions", key, chat("same question")).then().statusCode(202)
                .extract().path("id");

        submit("/v1/chat/completions", key, chat("same question")).then().statusCode(202)
                .header("Idempotent-Replayed", "true")
                .header("X-Spillway-Job-Id", first);
    }

    @Test
    void sameKeyWithADifferentBody_is422AndStoresNothing() {
        String key = "reused-" + System.nanoTime();
        submit("/v1/jobs", key, chat("the first request")).then().statusCode(202);
        int jobsBefore = storedJobs();

        submit("/v1/jobs", key, chat("a different request")).then().statusCode(422)
                .body("error.code", equalTo("idempotency_key_reused"))
                .body("error.param", equalTo("Idempotency-Key"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
    }

    @Test
    void sameKeyFromAnotherTenant_isAnotherJob() {
        String key = "shared-" + System.nanoTime();
        String mine = submit("/v1/jobs", key, chat("tenant scoped")).then().statusCode(202).extract().path("id");
        String otherTenant = IntakeFixture.newKey(keys, "other-tenant", Set.of(), 0, 0);
        RestAssured.requestSpecification = null;

        String theirs = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + otherTenant)
                .header("Idempotency-Key", key).body(chat("tenant scoped")).post("/v1/jobs")
                .then().statusCode(202).extract().path("id");

        assertThat(theirs).isNotEqualTo(mine);
    }

    @Test
    void malformedKey_isRefused() {
        int jobsBefore = storedJobs();

        submit("/v1/jobs", "k".repeat(256), chat("bad key")).then().statusCode(400)
                .body("error.code", equalTo("invalid_idempotency_key"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }
}
