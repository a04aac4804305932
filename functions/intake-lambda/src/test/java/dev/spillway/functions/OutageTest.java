package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * With the queue or the job store down, a request is refused with 503 and Retry-After, and nothing is left
 * behind: never acknowledged and then lost. Runs on emulators of its own, since it stops them.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageTest {

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void authenticate() {
        IntakeFixture.authenticate(keys);
    }

    @Test
    @Order(1)
    void queueDown_refusesWith503AndWithdrawsTheJob() {
        LocalCloud cloud = SpillwayTestResource.cloud();
        int jobsBefore = IntakeFixture.storedJobs();
        cloud.sqsServer().stop();
        try {
            given().contentType(ContentType.JSON).body(chat("while SQS is down")).post("/v1/jobs")
                    .then().statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("error.code", equalTo("queue_unavailable"));

            assertThat(IntakeFixture.storedJobs()).as("the stored job was withdrawn").isEqualTo(jobsBefore);
        } finally {
            cloud.restartSqs();
        }

        given().contentType(ContentType.JSON).body(chat("after SQS is back")).post("/v1/jobs").then().statusCode(202);
        assertThat(IntakeFixture.queuedMessages()).isEqualTo(1);
    }

    @Test
    @Order(1)
    void queueDown_refusesABatchWith503AndLeavesNothingBehind() {
        LocalCloud cloud = SpillwayTestResource.cloud();
        String line = "{\"custom_id\":\"%s\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + chat("batch while SQS is down") + "}";
        String batch = "{\"requests\":[" + String.format(line, "a") + "," + String.format(line, "b") + "]}";
        int jobsBefore = IntakeFixture.storedJobs();
        int batchesBefore = cloud.dynamo().scan(b -> b.tableName(cloud.batchesTable()).select("COUNT")).count();
        cloud.sqsServer().stop();
        try {
            given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-during-outage").body(batch)
                    .post("/v1/batches")
                    .then().statusCode(503)
                    .header("Retry-After", notNullValue())
                    .body("error.code", equalTo("queue_unavailable"));

            assertThat(IntakeFixture.storedJobs()).as("the stored jobs were withdrawn").isEqualTo(jobsBefore);
            assertThat(cloud.dynamo().scan(b -> b.tableName(cloud.batchesTable()).select("COUNT")).count())
                    .as("the batch was withdrawn").isEqualTo(batchesBefore);
        } finally {
            cloud.restartSqs();
        }

        // The key was withdrawn with the batch: the retry creates it afresh.
        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-during-outage").body(batch)
                .post("/v1/batches").then().statusCode(200).header("Idempotent-Replayed", nullValue())
                .body("request_counts.total", equalTo(2));
        assertThat(IntakeFixture.queuedMessages()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void queueDown_opensTheBreaker_whichRefusesWithoutTryingSqsUntilItsDelayPasses() {
        // GIVEN the breaker is closed again after the first test
        LocalCloud cloud = SpillwayTestResource.cloud();
        await().atMost(Duration.ofSeconds(30)).until(() -> given().contentType(ContentType.JSON)
                .body(chat("breaker closed?")).post("/v1/jobs").statusCode() == 202);
        IntakeFixture.purgeQueues();
        int jobsBefore = IntakeFixture.storedJobs();

        // WHEN SQS fails often enough to open the breaker (window of 4 sends, each request tries twice)
        cloud.sqsServer().stop();
        try {
            for (int i = 0; i < 3; i++) {
                given().contentType(ContentType.JSON).body(chat("while SQS is down " + i)).post("/v1/jobs")
                        .then().statusCode(503).body("error.code", equalTo("queue_unavailable"));
            }
        } finally {
            cloud.restartSqs();
        }

        // THEN with SQS back, the open breaker still refuses at once, with its delay as Retry-After, and queues nothing
        given().contentType(ContentType.JSON).body(chat("while the breaker is open")).post("/v1/jobs")
                .then().statusCode(503)
                .header("Retry-After", "10")
                .body("error.code", equalTo("queue_unavailable"));
        assertThat(IntakeFixture.queuedMessages()).isZero();
        assertThat(IntakeFixture.storedJobs()).as("every refused job was withdrawn").isEqualTo(jobsBefore);
        // AND once the delay has passed, requests are accepted again
        await().atMost(Duration.ofSeconds(30)).until(() -> given().contentType(ContentType.JSON)
                .body(chat("after the breaker closed")).post("/v1/jobs").statusCode() == 202);
        assertThat(IntakeFixture.queuedMessages()).isEqualTo(1);
    }

    /** Last: the tests' DynamoDB emulator keeps its tables in memory, so it is not restarted. */
    @Test
    @Order(3)
    void jobStoreDown_refusesWith503AndQueuesNothing() {
        LocalCloud cloud = SpillwayTestResource.cloud();
        IntakeFixture.purgeQueues();
        cloud.dynamoServer().stop();

        given().contentType(ContentType.JSON).body(chat("while DynamoDB is down")).post("/v1/chat/completions")
                .then().statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("service_unavailable_error"));

        assertThat(IntakeFixture.queuedMessages()).isZero();
    }
}
