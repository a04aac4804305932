package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** In Lambda the function's stdout goes to CloudWatch Logs, which turns Embedded Metric Format lines into metrics. */
@QuarkusTest
@TestProfile(CloudWatchMetricsTest.EmfOn.class)
@QuarkusTestResource(SpillwayTestResource.class)
class CloudWatchMetricsTest {

    /** As deployed: EMF on. */
    public static class EmfOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.metrics.emf.enabled", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void authenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    @Test
    void everyAnsweredRequest_writesOneEmfLineWithItsLaneAndOutcome() throws Exception {
        List<JsonNode> events = emfLinesWhile(() -> {
            given().contentType(ContentType.JSON).header("Prefer", "wait=0").body(chat("metered"))
                    .post("/v1/chat/completions").then().statusCode(202);
            given().contentType(ContentType.JSON).body("{\"model\":").post("/v1/chat/completions")
                    .then().statusCode(400);
        });

        assertThat(events).hasSize(2);
        JsonNode spilled = events.get(0);
        assertThat(spilled.path("_aws").path("CloudWatchMetrics").get(0).path("Namespace").asText())
                .isEqualTo("Spillway");
        assertThat(spilled.path("Lane").asText()).isEqualTo("spill");
        assertThat(spilled.path("CacheMiss").asLong() + spilled.path("CacheHit").asLong()).isZero();
        assertThat(spilled.path("Requests").asLong()).isEqualTo(1);
        assertThat(spilled.path("Latency").asDouble()).isPositive();
        JsonNode refused = events.get(1);
        assertThat(refused.path("Lane").asText()).isEqualTo("none");
        assertThat(refused.path("ClientErrors").asLong()).isEqualTo(1);
    }

    /** The EMF lines (and only those) the function printed while {@code action} ran. */
    private static List<JsonNode> emfLinesWhile(Runnable action) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(console);
        }
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{\"_aws\"")) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }
}
