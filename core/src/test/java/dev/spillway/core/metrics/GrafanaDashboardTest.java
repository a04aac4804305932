package dev.spillway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.metrics.GrafanaDashboard.App;

/**
 * The Grafana dashboard (docs/grafana/spillway.json) graphs only series an app exports: each series it queries is
 * one app's, and that app's test finds it in a real {@code /q/metrics} scrape after real traffic (the intake's in
 * {@code DirectLaneTest}, the worker's in {@code WorkerTest}). A query of a series nobody exports fails here or
 * there.
 */
class GrafanaDashboardTest {

    @Test
    void everySeriesTheDashboardQueries_belongsToExactlyOneApp() {
        // GIVEN the series the dashboard's panels query
        var queried = GrafanaDashboard.queriedSeries();

        // THEN there are some, and each is exported by the intake or by the worker (whose scrapes are checked)
        assertThat(queried).as("the dashboard queries Spillway's metrics").isNotEmpty();
        assertThat(queried).allSatisfy(series -> assertThat(
                Arrays.stream(App.values()).filter(app -> app.exports(series)))
                .as("apps exporting %s", series).hasSize(1));
    }

    @Test
    void everyPanel_hasAQuery() {
        for (JsonNode panel : GrafanaDashboard.panels()) {
            assertThat(panel.path("targets").size()).as("queries of panel %s", panel.path("title")).isPositive();
        }
    }

    @Test
    void exportedSeries_areTheSampleNamesOfAScrape() {
        // GIVEN a Prometheus text scrape with comments, labels and suffixed histogram series
        String scrape = """
                # HELP spillway_jobs_total Jobs handled
                # TYPE spillway_jobs_total counter
                spillway_jobs_total{outcome="succeeded",tier="batch"} 3.0
                spillway_batch_size_bucket{model="m",le="1.0"} 1.0
                jvm_threads_live_threads 12.0
                """;

        // THEN only Spillway's sample names are read
        assertThat(GrafanaDashboard.exportedSeries(scrape))
                .containsExactlyInAnyOrder("spillway_jobs_total", "spillway_batch_size_bucket");
    }
}
