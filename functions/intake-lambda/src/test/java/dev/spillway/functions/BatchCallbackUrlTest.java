package dev.spillway.functions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * {@code Spillway-Callback-Url} on {@code POST /v1/batches}: the batch object is POSTed there once the batch is
 * final; the URL is checked against SSRF before anything is stored.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class BatchCallbackUrlTest {

    private static final String BATCH = "{\"requests\":[{\"custom_id\":\"a\",\"method\":\"POST\","
            + "\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"%s\"}]}}],\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}";

    @Inject
    ApiKeyStore keys;
    @Inject
    BatchStore batches;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void publicHttpsCallback_isStoredOnTheBatchListedAndShownAsPending() {
        String id = given().contentType(ContentType.JSON).header("Spillway-Callback-Url", "https://93.184.216.34/batch")
                .body(String.format(BATCH, "call me back")).post("/v1/batches")
                .then().statusCode(200)
                .body("webhook.url", equalTo("https://93.184.216.34/batch"))
                .body("webhook.status", equalTo("pending"))
                .extract().path("id");

        assertThat(batches.find(id).orElseThrow().callbackUrl()).isEqualTo("https://93.184.216.34/batch");
        assertThat(batches.openCallbackIds()).contains(id);
        given().get("/v1/batches/" + id).then().statusCode(200)
                .body("status", equalTo("in_progress"))
                .body("webhook.url", equalTo("https://93.184.216.34/batch"))
                .body("webhook.status", equalTo("pending"))
                .body("webhook.attempts", equalTo(0))
                .body("webhook.delivered_at", nullValue());
    }

    @Test
    void batchWithoutCallback_hasNoWebhookAndIsNotListed() {
        String id = given().contentType(ContentType.JSON).body(String.format(BATCH, "no callback"))
                .post("/v1/batches").then().statusCode(200).body("webhook", nullValue()).extract().path("id");

        given().get("/v1/batches/" + id).then().statusCode(200).body("webhook", nullValue());
        assertThat(batches.openCallbackIds()).doesNotContain(id);
    }

    @Test
    void callbackToTheInstanceMetadataService_is400AndStoresNothing() {
        int batchesBefore = storedBatches();
        int jobsBefore = IntakeFixture.storedJobs();

        for (String url : new String[] {"http://169.254.169.254/", "https://169.254.169.254/latest/"}) {
            given().contentType(ContentType.JSON).header("Spillway-Callback-Url", url)
                    .body(String.format(BATCH, "steal credentials")).post("/v1/batches")
                    .then().statusCode(400)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.param", equalTo("Spillway-Callback-Url"));
        }
        given().contentType(ContentType.JSON).header("Spillway-Callback-Url", "https://169.254.169.254/latest/")
                .body(String.format(BATCH, "steal credentials")).post("/v1/batches")
                .then().statusCode(400).body("error.code", equalTo("callback_address_not_allowed"));

        assertThat(storedBatches()).isEqualTo(batchesBefore);
        assertThat(IntakeFixture.storedJobs()).isEqualTo(jobsBefore);
        assertThat(IntakeFixture.queuedMessages()).isZero();
    }

    @Test
    void sameIdempotencyKeyWithAnotherCallback_isADifferentRequest() {
        String body = String.format(BATCH, "idempotent");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-callback-key")
                .header("Spillway-Callback-Url", "https://93.184.216.34/first").body(body).post("/v1/batches")
                .then().statusCode(200);
        int jobsAfterFirst = IntakeFixture.storedJobs();

        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-callback-key")
                .header("Spillway-Callback-Url", "https://93.184.216.34/first").body(body).post("/v1/batches")
                .then().statusCode(200).header("Idempotent-Replayed", "true");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-callback-key")
                .header("Spillway-Callback-Url", "https://93.184.216.34/second").body(body).post("/v1/batches")
                .then().statusCode(422).body("error.code", equalTo("idempotency_key_reused"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "batch-callback-key").body(body)
                .post("/v1/batches")
                .then().statusCode(422).body("error.code", equalTo("idempotency_key_reused"));

        assertThat(IntakeFixture.storedJobs()).isEqualTo(jobsAfterFirst);
    }

    private static int storedBatches() {
        LocalCloud cloud = IntakeFixture.cloud();
        return cloud.dynamo().scan(b -> b.tableName(cloud.batchesTable()).select("COUNT")).count();
    }
}
