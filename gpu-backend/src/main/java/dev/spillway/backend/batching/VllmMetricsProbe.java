package dev.spillway.backend.batching;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Reads an inference server's Prometheus metrics ({@code GET <base-url without /v1>/metrics}, vLLM's layout) and
 * feeds its load to an {@link AdaptiveConcurrencyLimit}. A server that does not answer them (an upstream API, a
 * server without metrics) leaves the limit on latency control and is asked again ever less often, up to once a
 * minute, so an API is not polled every second for a page it does not have.
 */
public final class VllmMetricsProbe implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VllmMetricsProbe.class);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final URI metricsUri;
    private final Duration interval;
    private final AdaptiveConcurrencyLimit limit;
    private final HttpClient client;
    private final ScheduledExecutorService timer;
    private Duration nextDelay;

    public VllmMetricsProbe(URI metricsUri, Duration interval, AdaptiveConcurrencyLimit limit) {
        this.metricsUri = metricsUri;
        this.interval = interval;
        this.limit = limit;
        this.nextDelay = interval;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "spillway-metrics-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The metrics page of the server behind an OpenAI base URL: {@code http://h:8000/v1} → {@code http://h:8000/metrics}. */
    public static URI metricsUriFor(URI baseUrl) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        if (base.endsWith("/v1")) {
            base = base.substring(0, base.length() - "/v1".length());
        }
        return URI.create(base + "/metrics");
    }

    public VllmMetricsProbe start() {
        timer.schedule(this::probeAndReschedule, 0, TimeUnit.MILLISECONDS);
        return this;
    }

    private void probeAndReschedule() {
        try {
            Optional<ServerLoad> load = probe();
            if (load.isPresent()) {
                limit.onServerLoad(load.get());
                nextDelay = interval;
            } else {
                limit.onServerLoadUnavailable();
                nextDelay = min(nextDelay.multipliedBy(2), LONGEST_RETRY);
            }
        } catch (RuntimeException e) {
            LOG.debugf("metrics probe of %s failed: %s", metricsUri, e.toString());
        } finally {
            if (!timer.isShutdown()) {
                timer.schedule(this::probeAndReschedule, nextDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The server's load now, or empty when it does not publish vLLM's metrics. */
    public Optional<ServerLoad> probe() {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(metricsUri).timeout(TIMEOUT).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? parse(response.body()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.io.IOException e) {
            LOG.debugf("no metrics from %s: %s", metricsUri, e.toString());
            return Optional.empty();
        }
    }

    /**
     * vLLM's load gauges from a Prometheus text page: request counts summed over their label sets (one per model
     * or engine), KV-cache usage the fullest one;
     * {@code vllm:gpu_cache_usage_perc} is the KV-cache gauge's name before vLLM 0.10. Empty without
     * {@code vllm:num_requests_waiting}.
     */
    static Optional<ServerLoad> parse(String page) {
        double waiting = Double.NaN;
        double running = 0;
        double kvCache = 0;
        for (String line : page.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String name = line.split("[{ ]", 2)[0];
            switch (name) {
                case "vllm:num_requests_waiting" -> waiting = (Double.isNaN(waiting) ? 0 : waiting) + value(line);
                case "vllm:num_requests_running" -> running += value(line);
                case "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc" -> kvCache = Math.max(kvCache, value(line));
                default -> {
                }
            }
        }
        return Double.isNaN(waiting) ? Optional.empty() : Optional.of(new ServerLoad(waiting, running, kvCache));
    }

    /** The sample value: the field after the metric and its labels (a timestamp may follow). */
    private static double value(String line) {
        int labelsEnd = line.lastIndexOf('}');
        String[] fields = line.substring(labelsEnd + 1).trim().split("\\s+");
        int valueField = labelsEnd >= 0 ? 0 : 1;
        try {
            return Double.parseDouble(fields[valueField]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
