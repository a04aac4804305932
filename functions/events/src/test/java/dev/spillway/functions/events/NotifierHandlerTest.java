package dev.spillway.functions.events;

import static dev.spillway.functions.events.EventsFixture.JSON;
import static dev.spillway.functions.events.EventsFixture.invoke;
import static dev.spillway.functions.events.EventsFixture.streamEvent;
import static dev.spillway.functions.events.EventsFixture.streamRecords;
import static dev.spillway.functions.events.EventsFixture.succeededJob;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The notifier Lambda, fed real stream records (the DynamoDB emulator's) of the jobs table: one signed webhook per job that
 * reached a final state, retried within the invocation, recorded on the job.
 */
@QuarkusTest
@TestProfile(NotifierProfile.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "faultyLinks", value = "true"))
class NotifierHandlerTest {

    /** {@code %test.spillway.webhooks.signing-secret} of this module. */
    private static final String MASTER_SECRET = "test-master-secret";

    @Inject
    JobStore store;

    Receiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void jobReachingAFinalState_isPostedOnceSignedAndRecorded() throws Exception {
        Job job = succeededJob(store, "acme", receiver.url("/hooks/spillway?source=test"));
        List<Record> records = streamRecords(job.id());

        JsonNode response = JSON.readTree(invoke(streamEvent(records)).then().statusCode(200).extract().asString());

        assertThat(records).extracting(r -> r.dynamodb().newImage().get("status").s())
                .containsExactly("QUEUED", "RUNNING", "SUCCEEDED");
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(receiver.received()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/hooks/spillway?source=test");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("Spillway-Event")).isEqualTo("job.succeeded");
            assertThat(request.header("Spillway-Webhook-Id")).startsWith("whk_");
            JsonNode view = JSON.readTree(request.body());
            assertThat(view.path("id").asText()).isEqualTo(job.id());
            assertThat(view.path("status").asText()).isEqualTo("succeeded");
            assertThat(view.path("result").path("choices").get(0).path("message").path("content").asText())
                    .isEqualTo("hi there");
        });
        WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.lastStatus()).isEqualTo(200);
        assertThat(delivery.deliveredAt()).isNotNull();
    }

    @Test
    void signature_verifiesWithOnlyTheDocumentedAlgorithm() throws Exception {
        Job job = succeededJob(store, "tenant-with-hooks", receiver.url("/verify"));

        invoke(streamEvent(streamRecords(job.id()))).then().statusCode(200);

        Receiver.Request request = receiver.received().get(0);
        // What a receiver does, knowing only the README: secret = "whsec_" + hex(HKDF-SHA256(master, salt
        // "spillway-webhooks-v1", info "tenant:<tenant>", 32 bytes)); v1 = hex(HMAC-SHA256(secret, t + "." + body)).
        byte[] prk = hmac("spillway-webhooks-v1".getBytes(StandardCharsets.UTF_8),
                MASTER_SECRET.getBytes(StandardCharsets.UTF_8));
        String secret = "whsec_" + HexFormat.of().formatHex(
                hmac(prk, "tenant:tenant-with-hooks\u0001".getBytes(StandardCharsets.UTF_8)));
        String header = request.header("Spillway-Signature");
        assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
        String t = header.substring(2, header.indexOf(','));
        String v1 = header.substring(header.indexOf("v1=") + 3);
        byte[] signed = (t + "." + new String(request.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), signed))).isEqualTo(v1);
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(300);
        assertThat(request.header("Spillway-Webhook-Timestamp")).isEqualTo(t);
    }

    @Test
    void replayedStreamRecord_doesNotPostAgain() throws Exception {
        Job job = succeededJob(store, "acme", receiver.url("/once"));
        Map<String, Object> event = streamEvent(streamRecords(job.id()));

        invoke(event).then().statusCode(200);
        JsonNode replay = JSON.readTree(invoke(event).then().statusCode(200).extract().asString());

        assertThat(replay.path("batchItemFailures")).isEmpty();
        assertThat(receiver.received()).hasSize(1);
        assertThat(store.find(job.id()).orElseThrow().webhook().attempts()).isEqualTo(1);
    }

    @Test
    void receiverFailingTwice_isDeliveredOnTheThirdAttempt() throws Exception {
        receiver.answering(500, 500);
        Job job = succeededJob(store, "acme", receiver.url("/flaky"));

        invoke(streamEvent(streamRecords(job.id()))).then().statusCode(200);

        assertThat(receiver.received()).hasSize(3);
        assertThat(receiver.received()).extracting(r -> r.header("Spillway-Webhook-Attempt"))
                .containsExactly("1", "2", "3");
        assertThat(receiver.received()).extracting(r -> r.header("Spillway-Webhook-Id")).containsOnly(
                receiver.received().get(0).header("Spillway-Webhook-Id"));
        WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(3);
        assertThat(delivery.lastStatus()).isEqualTo(200);
        assertThat(delivery.lastError()).isNull();
    }

    @Test
    void receiverFailingEveryTime_isRecordedAsFailedAfterTheLastAttemptAndNotRetried() throws Exception {
        receiver.answering(503, 503, 503, 503, 503, 503, 503);
        Job job = succeededJob(store, "acme", receiver.url("/down"));
        Map<String, Object> event = streamEvent(streamRecords(job.id()));

        JsonNode response = JSON.readTree(invoke(event).then().statusCode(200).extract().asString());
        invoke(event).then().statusCode(200);

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(receiver.received()).hasSize(5);
        WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.FAILED);
        assertThat(delivery.attempts()).isEqualTo(5);
        assertThat(delivery.lastStatus()).isEqualTo(503);
        assertThat(delivery.lastError()).isEqualTo("HTTP 503");
    }

    @Test
    void callbackToTheInstanceMetadataAddress_isRefusedAtDeliveryAndRecorded() throws Exception {
        // Stored as if DNS had pointed elsewhere at submission: the check at delivery is what stops it.
        Job job = succeededJob(store, "acme", "http://169.254.169.254/latest/meta-data/iam/");

        JsonNode response = JSON.readTree(invoke(streamEvent(streamRecords(job.id()))).then().statusCode(200)
                .extract().asString());

        assertThat(response.path("batchItemFailures")).isEmpty();
        WebhookDelivery delivery = store.find(job.id()).orElseThrow().webhook();
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.State.REFUSED);
        assertThat(delivery.attempts()).isZero();
        assertThat(delivery.lastError()).startsWith("callback_address_not_allowed").contains("169.254.169.254");
    }

    @Test
    void transitionsThatDoNotEndAJob_postNothing() throws Exception {
        Job job = succeededJob(store, "acme", receiver.url("/not-yet"));
        List<Record> notFinal = streamRecords(job.id()).stream()
                .filter(r -> !r.dynamodb().newImage().get("status").s().equals("SUCCEEDED")).toList();

        JsonNode response = JSON.readTree(invoke(streamEvent(notFinal)).then().statusCode(200).extract().asString());

        assertThat(notFinal).hasSize(2);
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(receiver.connections()).isZero();
        assertThat(store.find(job.id()).orElseThrow().webhook()).isNull();
    }

    @Test
    void malformedRecords_areSkippedAndTheRestOfTheBatchIsDelivered() throws Exception {
        Job job = succeededJob(store, "acme", receiver.url("/after-garbage"));
        String fixture = new String(getClass().getResourceAsStream("/events/stream-malformed.json").readAllBytes(),
                StandardCharsets.UTF_8).replace("${JOB_ID}", job.id()).replace("${CALLBACK}", job.callbackUrl());

        JsonNode response = JSON.readTree(invoke(JSON.readTree(fixture)).then().statusCode(200).extract().asString());

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(receiver.received()).singleElement()
                .satisfies(r -> assertThat(JSON.readTree(r.body()).path("id").asText()).isEqualTo(job.id()));
    }

    @Test
    void jobStoreDown_reportsTheFinalRecordForRetry_andTheRetryDelivers() throws Exception {
        Job job = succeededJob(store, "acme", receiver.url("/later"));
        List<Record> records = streamRecords(job.id());
        String finalSequence = records.get(2).dynamodb().sequenceNumber();
        Map<String, Object> event = streamEvent(records);

        JsonNode response;
        SpillwayTestResource.dynamoLink().cut();
        try {
            response = JSON.readTree(invoke(event).then().statusCode(200).extract().asString());
        } finally {
            SpillwayTestResource.dynamoLink().restore();
        }
        JsonNode retried = JSON.readTree(invoke(event).then().statusCode(200).extract().asString());

        assertThat(response.path("batchItemFailures")).singleElement()
                .satisfies(f -> assertThat(f.path("itemIdentifier").asText()).isEqualTo(finalSequence));
        assertThat(retried.path("batchItemFailures")).isEmpty();
        assertThat(receiver.received()).hasSize(1);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
