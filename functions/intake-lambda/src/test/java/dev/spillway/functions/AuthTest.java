package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static dev.spillway.functions.IntakeFixture.newKey;
import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.cache.redis.RedisResultStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** API keys: who may call, as which tenant, for which models, how fast. */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthTest {

    @Inject
    ApiKeyStore keys;
    @Inject
    RedisResultStore l2;

    @BeforeEach
    void anonymousByDefault() {
        IntakeFixture.purgeQueues();
        RestAssured.requestSpecification = null;
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    @Test
    void everyEndpoint_refusesAMissingKeyWith401AndStoresNothing() {
        int jobsBefore = storedJobs();

        given().contentType(ContentType.JSON).body(chat("no key")).post("/v1/chat/completions").then().statusCode(401)
                .body("error.code", equalTo("missing_api_key"));
        given().contentType(ContentType.JSON).body(chat("no key")).post("/v1/jobs").then().statusCode(401);
        given().get("/v1/models").then().statusCode(401);
        given().get("/v1/jobs/job_00000000000000000000000000").then().statusCode(401);
        given().delete("/v1/jobs/job_00000000000000000000000000").then().statusCode(401);
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("missing_api_key"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void unknownOrMalformedKey_is401() {
        as(ApiKeys.generate()).body(chat("who am I")).post("/v1/chat/completions").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.type", equalTo("invalid_request_error"));
        as("sk-proj-not-ours").get("/v1/models").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        as("sk-spillway-" + "x".repeat(300)).get("/v1/models").then().statusCode(401);
    }

    @Test
    void revokedKey_isRefused() {
        String key = newKey(keys, "tenant-r", Set.of(), 0, 0);
        as(key).get("/v1/models").then().statusCode(200);

        assertThat(keys.revoke(ApiKeys.hash(key).substring(0, 12), Instant.now())).isPresent();

        as(key).get("/v1/models").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void modelOutsideTheKeysGrant_is403AndStoresNothing() {
        String key = newKey(keys, "tenant-m", Set.of("test-model"), 0, 0);
        int jobsBefore = storedJobs();

        as(key).body("{\"model\":\"other-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/v1/jobs").then().statusCode(403)
                .body("error.code", equalTo("model_not_allowed")).body("error.type", equalTo("permission_error"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        as(key).get("/v1/models").then().statusCode(200).body("data.id", contains("test-model"));
        as(key).get("/v1/models/other-model").then().statusCode(404);
    }

    @Test
    void anotherTenantsJob_isNotFoundAndCannotBeCancelled() {
        String alice = newKey(keys, "alice", Set.of(), 0, 0);
        String bob = newKey(keys, "bob", Set.of(), 0, 0);
        String aliceJob = as(alice).body(chat("alice's secret")).post("/v1/jobs").then().statusCode(202)
                .extract().path("id");

        as(bob).get("/v1/jobs/" + aliceJob).then().statusCode(404).body("error.code", equalTo("job_not_found"));
        as(bob).delete("/v1/jobs/" + aliceJob).then().statusCode(404);

        as(alice).get("/v1/jobs/" + aliceJob).then().statusCode(200).body("status", equalTo("queued"));
    }

    @Test
    void requestsPerMinute_areLimitedWith429AndRetryAfter() {
        String key = newKey(keys, "tenant-rpm", Set.of(), 2, 0);
        as(key).body(chat("one")).post("/v1/jobs").then().statusCode(202);
        as(key).body(chat("two")).post("/v1/jobs").then().statusCode(202);
        int jobsBefore = storedJobs();

        as(key).body(chat("three")).post("/v1/jobs").then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("error.code", equalTo("rate_limit_exceeded")).body("error.type", equalTo("rate_limit_error"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
    }

    @Test
    void tokensPerMinute_areLimitedOnTheEstimatedCost() {
        String key = newKey(keys, "tenant-tpm", Set.of(), 0, 300);
        String big = "{\"model\":\"test-model\",\"max_tokens\":200,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

        as(key).body(big).post("/v1/jobs").then().statusCode(202);
        as(key).body(big).post("/v1/jobs").then().statusCode(429).body("error.message",
                org.hamcrest.Matchers.containsString("300 tokens/min"));
    }

    /** Runs last: it stops the Redis server every test here shares. */
    @Test
    @Order(Integer.MAX_VALUE)
    void rateLimits_stillHoldWhenRedisIsDown() {
        String key = newKey(keys, "tenant-no-redis", Set.of(), 1, 0);
        var redis = SpillwayTestResource.cloud().redis().orElseThrow();
        redis.stop();
        try {
            as(key).body(chat("first without redis")).post("/v1/jobs").then().statusCode(202);
            as(key).body(chat("second without redis")).post("/v1/jobs").then().statusCode(429);
        } finally {
            redis.start();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> l2.get("probe").isEmpty());
        }
    }
}
