package dev.spillway.core.metrics;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.config.MetricsConfig;

/**
 * CloudWatch metrics without an API call: each event is one line of Embedded Metric Format JSON on stdout, which
 * CloudWatch Logs (Lambda, ECS with awslogs) turns into metrics in the configured namespace. The dashboard of
 * the observability stack graphs these names. Off unless {@code spillway.metrics.emf.enabled}.
 */
@ApplicationScoped
public class EmbeddedMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean enabled;
    private final String namespace;
    private final Clock clock;
    private final Consumer<String> out;

    @Inject
    public EmbeddedMetrics(MetricsConfig config, Clock clock) {
        this(config.emf().enabled(), config.emf().namespace(), clock, line -> System.out.println(line));
    }

    /** Lines to {@code out} instead of stdout: tests and tools. */
    public EmbeddedMetrics(boolean enabled, String namespace, Clock clock, Consumer<String> out) {
        this.enabled = enabled;
        this.namespace = namespace;
        this.clock = clock;
        this.out = out;
    }

    public static EmbeddedMetrics disabled() {
        return new EmbeddedMetrics(false, "", Clock.systemUTC(), line -> {
        });
    }

    /** One answered HTTP request: by lane ({@code cache}, {@code direct}, {@code spill} or {@code none}). */
    public void request(String lane, String cache, int status, double latencyMillis) {
        if (!enabled) {
            return;
        }
        Map<String, Number> counts = new LinkedHashMap<>();
        counts.put("Requests", 1);
        counts.put("CacheHit", cache != null && cache.startsWith("hit") ? 1 : 0);
        counts.put("CacheMiss", "miss".equals(cache) ? 1 : 0);
        counts.put("ClientErrors", status >= 400 && status < 500 ? 1 : 0);
        counts.put("ServerErrors", status >= 500 ? 1 : 0);
        write(Map.of("Lane", lane == null ? "none" : lane), counts, Map.of("Latency", latencyMillis));
    }

    /** A job a worker finished handling: {@code JobsSucceeded}, {@code JobsFailed}, {@code JobsRetried}... */
    public void jobOutcome(String tier, String outcome) {
        if (!enabled) {
            return;
        }
        write(Map.of("Tier", tier), Map.of("Jobs" + capitalized(outcome), 1), Map.of());
    }

    /** How many requests one engine call carried. */
    public void batchSize(String model, int size) {
        if (!enabled) {
            return;
        }
        write(Map.of("Model", model), Map.of("BatchSize", size), Map.of());
    }

    /**
     * The autoscaling signal of one tier, from one scheduler tick: {@code Backlog} (visible messages, what the
     * fleet's target tracking divides by the running tasks), {@code BacklogInFlight} (received, not yet done), and
     * {@code BacklogPerWorker} when the scheduler knows the worker count itself.
     */
    public void backlog(String fleet, String tier, long visible, long inFlight, Double perWorker) {
        if (!enabled) {
            return;
        }
        Map<String, Number> counts = new LinkedHashMap<>();
        counts.put("Backlog", visible);
        counts.put("BacklogInFlight", inFlight);
        Map<String, Double> ratios = perWorker == null ? Map.of() : Map.of("BacklogPerWorker", perWorker);
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put("Fleet", fleet);
        dimensions.put("Tier", tier);
        write(dimensions, counts, Map.of(), ratios);
    }

    /** One run of a scheduled task: {@code ScheduledTaskRuns} and {@code ScheduledTaskFailures} (0 or 1). */
    public void scheduledTask(String task, boolean failed) {
        if (!enabled) {
            return;
        }
        Map<String, Number> counts = new LinkedHashMap<>();
        counts.put("ScheduledTaskRuns", 1);
        counts.put("ScheduledTaskFailures", failed ? 1 : 0);
        write(Map.of("Task", task), counts, Map.of());
    }

    /** Jobs the reaper acted on in one run: {@code JobsReclaimed} and {@code JobsExpired}. */
    public void reaped(int reclaimed, int expired) {
        if (!enabled) {
            return;
        }
        Map<String, Number> counts = new LinkedHashMap<>();
        counts.put("JobsReclaimed", reclaimed);
        counts.put("JobsExpired", expired);
        write(Map.of(), counts, Map.of());
    }

    /**
     * A fleet's forecast and pre-scaling, from one scheduler tick: {@code ForecastArrivals} (jobs expected in the next
     * interval), {@code PrescaleFloor} (tasks the forecast needs a cold start ahead), {@code PrescaleMinimum} (the
     * minimum set) and {@code PrescaleGpuHours} (the day's budget charged); each only when known.
     */
    public void forecast(String fleet, Double arrivals, Integer floor, Integer minimum, Double gpuHoursToday) {
        if (!enabled) {
            return;
        }
        Map<String, Number> counts = new LinkedHashMap<>();
        if (floor != null) {
            counts.put("PrescaleFloor", floor);
            counts.put("PrescaleMinimum", minimum);
        }
        Map<String, Double> ratios = new LinkedHashMap<>();
        if (arrivals != null) {
            ratios.put("ForecastArrivals", arrivals);
        }
        if (gpuHoursToday != null) {
            ratios.put("PrescaleGpuHours", gpuHoursToday);
        }
        write(Map.of("Fleet", fleet), counts, Map.of(), ratios);
    }

    private void write(Map<String, String> dimensions, Map<String, Number> counts, Map<String, Double> millis) {
        write(dimensions, counts, millis, Map.of());
    }

    /** @param ratios unit {@code None}, written as decimals */
    private void write(Map<String, String> dimensions, Map<String, Number> counts, Map<String, Double> millis,
            Map<String, Double> ratios) {
        ObjectNode line = JSON.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", clock.millis());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(dimensionSet::add);
        ArrayNode metrics = directive.putArray("Metrics");
        counts.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", "Count"));
        millis.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", "Milliseconds"));
        ratios.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", "None"));
        dimensions.forEach(line::put);
        counts.forEach((name, value) -> line.put(name, value.longValue()));
        millis.forEach(line::put);
        ratios.forEach(line::put);
        out.accept(line.toString());
    }

    private static String capitalized(String outcome) {
        StringBuilder name = new StringBuilder();
        for (String part : outcome.split("[_-]")) {
            if (!part.isEmpty()) {
                name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return name.toString();
    }
}
