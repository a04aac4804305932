package dev.spillway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The lines CloudWatch Logs must be able to turn into metrics (the Embedded Metric Format specification). */
class EmbeddedMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    private final List<String> lines = new ArrayList<>();
    private final EmbeddedMetrics metrics = new EmbeddedMetrics(true, "Spillway", CLOCK, lines::add);

    @Test
    void request_isOneEmfEventWithItsLaneDimensionCountsAndLatency() throws Exception {
        metrics.request("cache", "hit-l1", 200, 0.75);

        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(line.path("_aws").path("Timestamp").asLong()).isEqualTo(CLOCK.millis());
        assertThat(directive.path("Namespace").asText()).isEqualTo("Spillway");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Lane\"]]");
        assertThat(directive.path("Metrics").findValuesAsText("Name"))
                .containsExactly("Requests", "CacheHit", "CacheMiss", "ClientErrors", "ServerErrors", "Latency");
        assertThat(directive.path("Metrics").get(5).path("Unit").asText()).isEqualTo("Milliseconds");
        // every metric and dimension named in the directive is a member of the line itself
        assertThat(line.path("Lane").asText()).isEqualTo("cache");
        assertThat(line.path("Requests").asLong()).isEqualTo(1);
        assertThat(line.path("CacheHit").asLong()).isEqualTo(1);
        assertThat(line.path("CacheMiss").asLong()).isZero();
        assertThat(line.path("Latency").asDouble()).isEqualTo(0.75);
    }

    @Test
    void refusedRequestWithoutALane_countsAsAServerErrorOfLaneNone() throws Exception {
        metrics.request(null, null, 503, 3.0);

        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("Lane").asText()).isEqualTo("none");
        assertThat(line.path("ServerErrors").asLong()).isEqualTo(1);
        assertThat(line.path("CacheHit").asLong()).isZero();
    }

    @Test
    void jobOutcome_isNamedAsTheDashboardGraphsIt() throws Exception {
        metrics.jobOutcome("batch", "dead_lettered");

        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").get(0).path("Name").asText())
                .isEqualTo("JobsDeadLettered");
        assertThat(line.path("Tier").asText()).isEqualTo("batch");
        assertThat(line.path("JobsDeadLettered").asLong()).isEqualTo(1);
    }

    @Test
    void disabled_writesNothing() {
        new EmbeddedMetrics(false, "Spillway", CLOCK, lines::add).request("spill", "miss", 200, 1.0);

        assertThat(lines).isEmpty();
    }
}
