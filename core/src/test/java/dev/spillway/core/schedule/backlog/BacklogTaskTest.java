package dev.spillway.core.schedule.backlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.EmbeddedMetrics;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.sqs.SqsWorkQueue;
import dev.spillway.core.schedule.LocalQueues;
import dev.spillway.local.emulators.LocalCloud;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The backlog signal for a known number of messages per tier, on ElasticMQ: as CloudWatch EMF lines and as the
 * Micrometer gauges Prometheus reads.
 */
class BacklogTaskTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC);

    private static LocalCloud cloud;
    private static SqsWorkQueue queue;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> emfLines = new ArrayList<>();
    private final EmbeddedMetrics emf = new EmbeddedMetrics(true, "Spillway", CLOCK, emfLines::add);
    /** One instance, as the application has: it holds the gauges' values. */
    private final SpillwayMetrics metrics = new SpillwayMetrics(registry, EmbeddedMetrics.disabled());

    @BeforeAll
    static void startSqs() {
        cloud = LocalCloud.start(
                new LocalCloud.Options(Duration.ofSeconds(30), 5, false, false, "backlog-test", 0, 0, 0));
        queue = new SqsWorkQueue(cloud.sqs(), LocalQueues.of(cloud), JSON);
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @BeforeEach
    void emptyQueues() {
        for (Tier tier : Tier.values()) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(tier.wireName())));
        }
    }

    /** Both adapters, as an app with EMF on and a Prometheus registry has them. */
    private BacklogTask task(Integer runningWorkers) {
        return new BacklogTask(queue, LocalQueues.of(cloud), List.of(new CloudWatchBacklogSignal(emf),
                new GaugeBacklogSignal(metrics)),
                fleet -> runningWorkers == null ? OptionalInt.empty() : OptionalInt.of(runningWorkers));
    }

    private static void enqueue(Tier tier, int messages) {
        for (int i = 0; i < messages; i++) {
            queue.send(Fleets.SHARED, tier, JobIds.next());
        }
    }

    private Map<String, JsonNode> emfByTier() throws Exception {
        Map<String, JsonNode> byTier = new HashMap<>();
        for (String line : emfLines) {
            JsonNode event = JSON.readTree(line);
            byTier.put(event.path("Tier").asText(), event);
        }
        return byTier;
    }

    private double gauge(String name, Tier tier) {
        return registry.get(name).tag("fleet", Fleets.SHARED).tag("tier", tier.wireName()).gauge().value();
    }

    @Test
    void visibleMessagesPerTier_arePublishedAsEmfAndGauges_withInFlightApart() throws Exception {
        // GIVEN 5 interactive messages of which 2 are received (in flight), 3 standard, none batch
        enqueue(Tier.INTERACTIVE, 5);
        enqueue(Tier.STANDARD, 3);
        assertThat(queue.receive(Fleets.SHARED, Tier.INTERACTIVE, 2, Duration.ZERO, Duration.ofMinutes(5))).hasSize(2);

        // WHEN the task runs on a stack that knows it runs 2 workers
        task(2).run(CLOCK.instant());

        // THEN CloudWatch gets one EMF line per tier
        Map<String, JsonNode> lines = emfByTier();
        assertThat(lines).containsOnlyKeys("interactive", "standard", "batch");
        JsonNode interactive = lines.get("interactive");
        JsonNode directive = interactive.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo("Spillway");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Fleet\",\"Tier\"]]");
        assertThat(interactive.path("Fleet").asText()).isEqualTo(Fleets.SHARED);
        assertThat(directive.path("Metrics").findValuesAsText("Name"))
                .containsExactly("Backlog", "BacklogInFlight", "BacklogPerWorker");
        assertThat(directive.path("Metrics").get(0).path("Unit").asText()).isEqualTo("Count");
        assertThat(interactive.path("_aws").path("Timestamp").asLong()).isEqualTo(CLOCK.millis());
        assertThat(interactive.path("Backlog").asLong()).isEqualTo(3);
        assertThat(interactive.path("BacklogInFlight").asLong()).isEqualTo(2);
        assertThat(interactive.path("BacklogPerWorker").asDouble()).isEqualTo(1.5);
        assertThat(lines.get("standard").path("Backlog").asLong()).isEqualTo(3);
        assertThat(lines.get("standard").path("BacklogPerWorker").asDouble()).isEqualTo(1.5);
        assertThat(lines.get("batch").path("Backlog").asLong()).isZero();
        // AND the gauges show the same figures
        assertThat(gauge("spillway.queue.backlog", Tier.INTERACTIVE)).isEqualTo(3);
        assertThat(gauge("spillway.queue.backlog.inflight", Tier.INTERACTIVE)).isEqualTo(2);
        assertThat(gauge("spillway.queue.backlog.per.worker", Tier.INTERACTIVE)).isEqualTo(1.5);
        assertThat(gauge("spillway.queue.backlog", Tier.STANDARD)).isEqualTo(3);
        assertThat(gauge("spillway.queue.backlog", Tier.BATCH)).isZero();
    }

    @Test
    void withoutAWorkerCount_theRawBacklogIsPublished_forTheScalingPolicyToDivide() throws Exception {
        enqueue(Tier.BATCH, 4);

        task(null).run(CLOCK.instant());

        JsonNode batch = emfByTier().get("batch");
        assertThat(batch.path("Backlog").asLong()).isEqualTo(4);
        assertThat(batch.has("BacklogPerWorker")).isFalse();
        assertThat(batch.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").findValuesAsText("Name"))
                .containsExactly("Backlog", "BacklogInFlight");
        assertThat(registry.find("spillway.queue.backlog.per.worker").gauges()).isEmpty();
        assertThat(gauge("spillway.queue.backlog", Tier.BATCH)).isEqualTo(4);
    }

    @Test
    void theGauges_followTheLatestTick() {
        enqueue(Tier.STANDARD, 2);
        task(1).run(CLOCK.instant());
        assertThat(gauge("spillway.queue.backlog", Tier.STANDARD)).isEqualTo(2);

        // A worker takes both and finishes them.
        queue.receive(Fleets.SHARED, Tier.STANDARD, 10, Duration.ofSeconds(1), Duration.ofMinutes(5)).forEach(queue::delete);
        task(1).run(CLOCK.instant());

        assertThat(gauge("spillway.queue.backlog", Tier.STANDARD)).isZero();
        assertThat(gauge("spillway.queue.backlog.per.worker", Tier.STANDARD)).isZero();
    }
}
