package dev.spillway.backend.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The Grafana dashboard in docs/grafana graphs only series the worker and the local stack really expose: every
 * {@code spillway_*} name in its queries must appear in a Prometheus scrape of Spillway's metrics once each has
 * been recorded, so renaming a metric without the dashboard fails here.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "spillway.json");
    private static final Pattern SERIES = Pattern.compile("\\bspillway_[a-z0-9_]+");

    @Test
    void everySeriesTheDashboardQueriesIsExposed() throws Exception {
        Set<String> exposed = exposedSeries();
        List<String> queried = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets").size()).as("queries of panel %s", panel.path("title")).isPositive();
            for (JsonNode target : panel.path("targets")) {
                Matcher series = SERIES.matcher(target.path("expr").asText());
                while (series.find()) {
                    queried.add(series.group());
                }
            }
        }

        assertThat(queried).as("the dashboard queries Spillway's metrics").isNotEmpty();
        assertThat(exposed).containsAll(queried);
    }

    /** The series names of a scrape after every kind of event SpillwayMetrics records has happened once. */
    private static Set<String> exposedSeries() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SpillwayMetrics metrics = new SpillwayMetrics(registry);
        metrics.request("spill", "miss");
        metrics.refused(503, "queue_unavailable");
        metrics.queueWait(Tier.INTERACTIVE, Duration.ofMillis(5));
        metrics.engineCall("model", "ok", Duration.ofMillis(20), 12);
        metrics.jobOutcome(Tier.INTERACTIVE, "succeeded");
        metrics.batchStarted("model", 4);
        Object batcher = new Object();
        metrics.engineInFlight("model", batcher, b -> 8, b -> 3);
        metrics.upstreamCall("deepseek", "ok");
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            Matcher series = SERIES.matcher(line);
            if (!line.startsWith("#") && series.lookingAt()) {
                names.add(series.group());
            }
        }
        return names;
    }
}
