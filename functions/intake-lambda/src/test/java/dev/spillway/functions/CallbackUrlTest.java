package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.JobStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** {@code Spillway-Callback-Url}: a webhook when the job is final; checked against SSRF before anything is stored. */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class CallbackUrlTest {

    @Inject
    ApiKeyStore keys;

    @Inject
    JobStore store;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void publicHttpsCallback_isStoredOnTheJobAndShownAsPending() {
        String id = given().contentType(ContentType.JSON).header("Spillway-Callback-Url", "https://93.184.216.34/hook")
                .body(chat("call me back")).post("/v1/jobs")
                .then().statusCode(202).extract().path("id");

        assertThat(store.find(id).orElseThrow().callbackUrl()).isEqualTo("https://93.184.216.34/hook");
        given().get("/v1/jobs/" + id).then().statusCode(200)
                .body("webhook.url", equalTo("https://93.184.216.34/hook"))
                .body("webhook.status", equalTo("pending"))
                .body("webhook.attempts", equalTo(0));
    }

    @Test
    void jobWithoutCallback_hasNoWebhook() {
        String id = given().contentType(ContentType.JSON).body(chat("no callback")).post("/v1/jobs")
                .then().statusCode(202).extract().path("id");

        given().get("/v1/jobs/" + id).then().statusCode(200).body("webhook", nullValue());
    }

    @Test
    void callbackToTheInstanceMetadataService_is400AndStoresNothing() {
        int jobsBefore = storedJobs();

        given().contentType(ContentType.JSON).header("Spillway-Callback-Url", "https://169.254.169.254/latest/")
                .header("Prefer", "wait=0").body(chat("steal credentials")).post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("callback_address_not_allowed"))
                .body("error.param", equalTo("Spillway-Callback-Url"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void plainHttpCallback_is400OutsideLocalMode() {
        int jobsBefore = storedJobs();

        given().contentType(ContentType.JSON).header("Spillway-Callback-Url", "http://93.184.216.34/hook")
                .body(chat("not over http")).post("/v1/jobs")
                .then().statusCode(400).body("error.code", equalTo("callback_scheme_not_allowed"));

        assertThat(storedJobs()).isEqualTo(jobsBefore);
    }
}
