package dev.spillway.core.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Spillway series the Grafana dashboard (docs/grafana/spillway.json) queries, and which app exports each, so
 * each app's test can hold the dashboard against its own real {@code /q/metrics} scrape.
 */
public final class GrafanaDashboard {

    private static final Path DASHBOARD = Path.of("docs", "grafana", "spillway.json");
    private static final Pattern SERIES = Pattern.compile("\\bspillway_[a-z0-9_]+");
    /** What Prometheus appends to a meter's name: counters, histograms and summaries. */
    private static final List<String> SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum", "_max");

    /** An app whose scrape the dashboard reads, with the meters (Prometheus names, no suffix) it exports. */
    public enum App {
        /** The intake front door (the function, and the local stack that serves it): requests, refusals, upstreams. */
        INTAKE("spillway_requests", "spillway_requests_refused", "spillway_upstream_calls"),
        /** The gpu-backend worker: queue wait, engine calls and tokens, job outcomes, batches, in-flight gauges. */
        WORKER("spillway_queue_wait_seconds", "spillway_engine_latency_seconds", "spillway_tokens_generated",
                "spillway_jobs", "spillway_batch_size", "spillway_engine_inflight", "spillway_engine_inflight_limit");

        private final Set<String> meters;

        App(String... meters) {
            this.meters = Set.of(meters);
        }

        /** Whether the series is one of this app's meters, as Prometheus names it. */
        public boolean exports(String series) {
            return meters.stream().anyMatch(meter -> SUFFIXES.stream().anyMatch(s -> series.equals(meter + s)));
        }

        /** The series of this app that the dashboard queries. */
        public Set<String> queried() {
            return queriedSeries().stream().filter(this::exports).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private GrafanaDashboard() {
    }

    /** Every {@code spillway_*} series named in a panel query of the dashboard. */
    public static Set<String> queriedSeries() {
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                Matcher series = SERIES.matcher(target.path("expr").asText());
                while (series.find()) {
                    queried.add(series.group());
                }
            }
        }
        return queried;
    }

    /** The dashboard's panels. */
    public static JsonNode panels() {
        try {
            return new ObjectMapper().readTree(Files.readString(locate())).path("panels");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code spillway_*} series names in a Prometheus text scrape (samples only, not the comments). */
    public static Set<String> exportedSeries(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            Matcher series = SERIES.matcher(line);
            if (!line.startsWith("#") && series.lookingAt()) {
                names.add(series.group());
            }
        }
        return names;
    }

    /** The dashboard file, found from whichever module directory the test runs in. */
    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(DASHBOARD))) {
                return dir.resolve(DASHBOARD);
            }
        }
        throw new IllegalStateException("no " + DASHBOARD + " above " + Path.of("").toAbsolutePath());
    }
}
