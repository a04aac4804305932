package dev.spillway.functions.events;

import static dev.spillway.functions.events.EventsFixture.CHAT;
import static dev.spillway.functions.events.EventsFixture.JSON;
import static dev.spillway.functions.events.EventsFixture.cloud;
import static dev.spillway.functions.events.EventsFixture.invoke;
import static dev.spillway.functions.events.EventsFixture.sqsEvent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.sqs.model.Message;

/** The ingest Lambda: SQS messages in, jobs queued on their tier, refusals in the DLQ with their reason. */
@QuarkusTest
@TestProfile(IngestProfile.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "faultyLinks", value = "true"))
class IngestHandlerTest {

    @Inject
    ApiKeyStore keys;

    @Inject
    JobStore store;

    String key;

    @BeforeEach
    void freshQueuesAndKey() {
        LocalCloud cloud = cloud();
        for (String queue : List.of("interactive", "standard", "batch", "ingest-dlq")) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(queue)));
        }
        key = EventsFixture.newKey(keys, "acme", Tier.INTERACTIVE);
    }

    private String envelope(String content, Map<String, Object> extra) throws Exception {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("api_key", key);
        envelope.put("request", JSON.readTree(String.format(CHAT, content)));
        envelope.putAll(extra);
        return JSON.writeValueAsString(envelope);
    }

    @Test
    void batchOfValidAndInvalidMessages_queuesTheValidOnesAndDeadLettersTheOthersWithTheirReason() throws Exception {
        int jobsBefore = storedJobs();
        List<String> bodies = List.of(
                envelope("first valid", Map.of()),
                "{not json",
                envelope("second valid", Map.of("tier", "batch", "callback_url", "http://127.0.0.1:9/hook")),
                JSON.writeValueAsString(Map.of("api_key", key, "request", Map.of("messages", List.of()))),
                envelope("bad key", Map.of("api_key", "sk-spillway-nope")),
                envelope("metadata", Map.of("callback_url", "http://169.254.169.254/latest/meta-data/")),
                envelope("typo", Map.of("callbackUrl", "https://example.com/hook")));

        JsonNode response = JSON.readTree(invoke(sqsEvent("mixed", bodies)).then().statusCode(200).extract().asString());

        // Every message is done with: the valid ones are jobs, the refused ones are in the DLQ (acknowledged).
        assertThat(response.path("batchItemFailures")).isEmpty();
        List<Message> standard = drain("standard");
        List<Message> batch = drain("batch");
        assertThat(standard).hasSize(1);
        assertThat(batch).hasSize(1);
        Job first = store.find(jobId(standard.get(0))).orElseThrow();
        assertThat(first.tenant()).isEqualTo("acme");
        assertThat(first.request().messages().get(0).content()).isEqualTo("first valid");
        Job second = store.find(jobId(batch.get(0))).orElseThrow();
        assertThat(second.callbackUrl()).isEqualTo("http://127.0.0.1:9/hook");
        assertThat(second.tier()).isEqualTo(Tier.BATCH);
        assertThat(storedJobs()).isEqualTo(jobsBefore + 2);

        Map<String, JsonNode> reasons = new LinkedHashMap<>();
        for (Message dead : drainWithAttributes("ingest-dlq")) {
            reasons.put(dead.messageAttributes().get("spillway-source-message-id").stringValue(),
                    JSON.readTree(dead.messageAttributes().get("spillway-error").stringValue()).path("error"));
        }
        assertThat(reasons.keySet()).containsExactlyInAnyOrder("mixed-1", "mixed-3", "mixed-4", "mixed-5", "mixed-6");
        assertThat(reasons.get("mixed-1").path("code").asText()).isEqualTo("invalid_json");
        assertThat(reasons.get("mixed-3").path("param").asText()).isEqualTo("model");
        assertThat(reasons.get("mixed-4").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(reasons.get("mixed-5").path("code").asText()).isEqualTo("callback_address_not_allowed");
        assertThat(reasons.get("mixed-5").path("message").asText()).contains("169.254.169.254");
        assertThat(reasons.get("mixed-6").path("code").asText()).isEqualTo("unknown_field");
    }

    @Test
    void sameIdempotencyKeyTwice_isOneJob() throws Exception {
        String body = envelope("exactly once", Map.of("idempotency_key", "order-" + System.nanoTime()));
        int jobsBefore = storedJobs();

        invoke(sqsEvent("first", List.of(body))).then().statusCode(200);
        JsonNode replay = JSON.readTree(invoke(sqsEvent("redelivered", List.of(body, body))).then().statusCode(200)
                .extract().asString());

        assertThat(replay.path("batchItemFailures")).isEmpty();
        assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        assertThat(drain("standard")).hasSize(1);
        assertThat(drainWithAttributes("ingest-dlq")).isEmpty();
    }

    @Test
    void sameIdempotencyKeyForAnotherRequest_isDeadLetteredAsReused() throws Exception {
        String idempotencyKey = "reused-" + System.nanoTime();
        invoke(sqsEvent("original", List.of(envelope("one thing", Map.of("idempotency_key", idempotencyKey)))));
        int jobsBefore = storedJobs();

        invoke(sqsEvent("other", List.of(envelope("another thing", Map.of("idempotency_key", idempotencyKey)))))
                .then().statusCode(200);

        assertThat(storedJobs()).isEqualTo(jobsBefore);
        List<Message> dead = drainWithAttributes("ingest-dlq");
        assertThat(dead).singleElement().satisfies(m -> assertThat(
                m.messageAttributes().get("spillway-error-code").stringValue()).isEqualTo("idempotency_key_reused"));
    }

    @Test
    void jobStoreDown_reportsOnlyThatMessageForRetry_andNothingIsDeadLettered() throws Exception {
        List<String> bodies = List.of(envelope("while the table is away", Map.of()), "{not json");

        JsonNode response;
        SpillwayTestResource.dynamoLink().cut();
        try {
            response = JSON.readTree(invoke(sqsEvent("outage", bodies)).then().statusCode(200).extract().asString());
        } finally {
            SpillwayTestResource.dynamoLink().restore();
        }

        assertThat(response.path("batchItemFailures")).singleElement()
                .satisfies(f -> assertThat(f.path("itemIdentifier").asText()).isEqualTo("outage-0"));
        assertThat(drain("standard")).isEmpty();
        assertThat(drainWithAttributes("ingest-dlq")).extracting(
                m -> m.messageAttributes().get("spillway-source-message-id").stringValue()).containsExactly("outage-1");
    }

    private static String jobId(Message message) throws Exception {
        return JSON.readTree(message.body()).path("job").asText();
    }

    private static int storedJobs() {
        LocalCloud cloud = cloud();
        return cloud.dynamo().scan(b -> b.tableName(cloud.jobsTable()).select("COUNT")).count();
    }

    private static List<Message> drain(String queue) {
        return drainWithAttributes(queue);
    }

    private static List<Message> drainWithAttributes(String queue) {
        LocalCloud cloud = cloud();
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> messages = cloud.sqs().receiveMessage(b -> b.queueUrl(cloud.queueUrl(queue))
                    .maxNumberOfMessages(10).waitTimeSeconds(1).messageAttributeNames("All")).messages();
            if (messages.isEmpty()) {
                return all;
            }
            for (Message message : messages) {
                all.add(message);
                cloud.sqs().deleteMessage(b -> b.queueUrl(cloud.queueUrl(queue)).receiptHandle(message.receiptHandle()));
            }
        }
    }

}
