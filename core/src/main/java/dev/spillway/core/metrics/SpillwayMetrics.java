package dev.spillway.core.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.job.Tier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The numbers that show the machinery working, named once here. Prometheus exposes them at {@code /q/metrics}
 * (worker, local stack) with {@code .} turned into {@code _}. Meters are looked up in a map of their own after first
 * use: Micrometer's {@code register} builds and sorts a tag list and takes the registry's lock on a miss, which the
 * request path should not pay per call.
 */
@ApplicationScoped
public class SpillwayMetrics {

    private final MeterRegistry registry;
    private final EmbeddedMetrics cloudWatch;
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
    private final Map<MeterKey, Object> meters = new ConcurrentHashMap<>();

    /** A meter by name and up to two tag values (the tag names follow from the meter's name). */
    private record MeterKey(String name, String first, String second) {
    }

    @Inject
    public SpillwayMetrics(MeterRegistry registry, EmbeddedMetrics cloudWatch) {
        this.registry = registry;
        this.cloudWatch = cloudWatch;
    }

    /** Micrometer only (tools and tests outside an application). */
    public SpillwayMetrics(MeterRegistry registry) {
        this(registry, EmbeddedMetrics.disabled());
    }

    /**
     * An accepted request and how it was served.
     *
     * @param lane {@code cache}, {@code direct} or {@code spill}
     * @param cache {@code hit-l1}, {@code hit-l2}, {@code miss}, {@code bypass} or {@code coalesced}
     */
    public void request(String lane, String cache) {
        this.<Counter> meter("spillway.requests", lane, cache, () -> Counter.builder("spillway.requests")
                .description("Accepted requests by lane and cache outcome").tag("lane", lane).tag("cache", cache)
                .register(registry)).increment();
    }

    /**
     * One direct-lane attempt at an upstream target, or the target's policy turning it away.
     *
     * @param outcome {@code succeeded}; the upstream's failure ({@code rate_limited}, {@code overloaded},
     *        {@code timeout}, {@code unavailable}, {@code bad_response}, {@code auth_failed}, {@code rejected}); or
     *        the policy's refusal ({@code bulkhead_full}, {@code breaker_open}, {@code budget_spent})
     */
    public void upstreamCall(String target, String outcome) {
        this.<Counter> meter("spillway.upstream.calls", target, outcome, () -> Counter
                .builder("spillway.upstream.calls").description("Direct-lane attempts per upstream target and outcome")
                .tag("target", target).tag("outcome", outcome).register(registry)).increment();
    }

    /** A request refused before anything was stored, by HTTP status. */
    public void refused(int status, String code) {
        String statusTag = Integer.toString(status);
        String codeTag = code == null ? "none" : code;
        this.<Counter> meter("spillway.requests.refused", statusTag, codeTag, () -> Counter
                .builder("spillway.requests.refused").description("Requests refused, by status and error code")
                .tag("status", statusTag).tag("code", codeTag).register(registry)).increment();
    }

    /** How long a job waited in its queue before a worker claimed it. */
    public void queueWait(Tier tier, Duration waited) {
        this.<Timer> meter("spillway.queue.wait", tier.wireName(), null, () -> Timer.builder("spillway.queue.wait")
                .description("Time from submit to claim, per tier").tag("tier", tier.wireName())
                .publishPercentileHistogram().register(registry)).record(waited);
    }

    /** One engine call and what it produced. */
    public void engineCall(String model, String outcome, Duration took, int completionTokens) {
        this.<Timer> meter("spillway.engine.latency", model, outcome, () -> Timer.builder("spillway.engine.latency")
                .description("Engine call duration, per model and outcome").tag("model", model)
                .tag("outcome", outcome).publishPercentileHistogram().register(registry)).record(took);
        if (completionTokens > 0) {
            this.<Counter> meter("spillway.tokens.generated", model, null, () -> Counter
                    .builder("spillway.tokens.generated").description("Completion tokens generated, per model")
                    .tag("model", model).register(registry)).increment(completionTokens);
        }
    }

    /**
     * What became of a job a worker handled.
     *
     * @param outcome {@code succeeded}, {@code failed}, {@code retried}, {@code dead_lettered} or {@code dropped}
     */
    public void jobOutcome(Tier tier, String outcome) {
        this.<Counter> meter("spillway.jobs", tier.wireName(), outcome, () -> Counter.builder("spillway.jobs")
                .description("Jobs handled by workers, per tier and outcome").tag("tier", tier.wireName())
                .tag("outcome", outcome).register(registry)).increment();
        cloudWatch.jobOutcome(tier.wireName(), outcome);
    }

    /** A batch of requests started together in a model's engine (worker); buckets show the size distribution. */
    public void batchStarted(String model, int size) {
        this.<DistributionSummary> meter("spillway.batch.size", model, null, () -> DistributionSummary
                .builder("spillway.batch.size").description("Requests started together per batch, per model")
                .tag("model", model).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry))
                .record(size);
        cloudWatch.batchSize(model, size);
    }

    /**
     * The in-flight gauges of a model's engine (worker): the limit the batcher keeps to (llama.cpp's slots or the
     * adaptive limit of an OpenAI-compatible server) and the requests in flight now.
     */
    public <T> void engineInFlight(String model, T batcher, ToDoubleFunction<T> limit, ToDoubleFunction<T> inFlight) {
        Gauge.builder("spillway.engine.inflight.limit", batcher, limit)
                .description("Requests the batcher may keep in flight in the engine, per model")
                .tag("model", model).strongReference(true).register(registry);
        Gauge.builder("spillway.engine.inflight", batcher, inFlight)
                .description("Requests in flight in the engine, per model")
                .tag("model", model).strongReference(true).register(registry);
    }

    /**
     * The backlog of a tier as the scheduler last read it (gauges, so Prometheus shows the latest tick):
     * {@code spillway.queue.backlog} (visible messages), {@code spillway.queue.backlog.inflight} and, when the
     * worker count is known, {@code spillway.queue.backlog.per.worker}. Also written to CloudWatch (EMF).
     */
    public void backlog(String fleet, Tier tier, long visible, long inFlight, Double perWorker) {
        gauge("spillway.queue.backlog", "Visible messages waiting for a worker, per fleet and tier", fleet, tier)
                .set((double) visible);
        gauge("spillway.queue.backlog.inflight", "Messages received by workers and not yet done, per fleet and tier",
                fleet, tier).set((double) inFlight);
        if (perWorker != null) {
            gauge("spillway.queue.backlog.per.worker", "Visible messages per running worker, per fleet and tier",
                    fleet, tier).set(perWorker);
        }
        cloudWatch.backlog(fleet, tier.wireName(), visible, inFlight, perWorker);
    }

    /**
     * A fleet's forecast and pre-scaling as the scheduler last computed them (gauges, so Prometheus shows the latest
     * tick): {@code spillway.forecast.arrivals} (jobs expected in the next interval) and, when pre-scaling decided,
     * {@code spillway.prescale.floor} (tasks the forecast needs a cold start ahead), {@code spillway.prescale.minimum}
     * (the minimum set) and {@code spillway.prescale.gpu.hours} (the day's budget charged). Also written to CloudWatch.
     */
    public void forecast(String fleet, Double arrivals, Integer floor, Integer minimum, Double gpuHoursToday) {
        if (arrivals != null) {
            fleetGauge("spillway.forecast.arrivals", "Jobs the forecast expects in the next interval, per fleet", fleet)
                    .set(arrivals);
        }
        if (floor != null) {
            fleetGauge("spillway.prescale.floor", "Tasks the forecast needs a cold start ahead, per fleet", fleet)
                    .set((double) floor);
            fleetGauge("spillway.prescale.minimum", "The minimum pre-scaling set, per fleet", fleet)
                    .set((double) minimum);
            fleetGauge("spillway.prescale.gpu.hours", "GPU-hours of today's pre-scaling budget charged, per fleet",
                    fleet).set(gpuHoursToday);
        }
        cloudWatch.forecast(fleet, arrivals, floor, minimum, gpuHoursToday);
    }

    private AtomicReference<Double> fleetGauge(String name, String description, String fleet) {
        return gauges.computeIfAbsent(name + "|" + fleet, key -> {
            AtomicReference<Double> held = new AtomicReference<>(0.0);
            Gauge.builder(name, held, AtomicReference::get).description(description).tag("fleet", fleet)
                    .strongReference(true).register(registry);
            return held;
        });
    }

    /** Latest value of one gauge: the holder of the queue's gauge of that name, registered on first use. */
    private AtomicReference<Double> gauge(String name, String description, String fleet, Tier tier) {
        return gauges.computeIfAbsent(name + "|" + fleet + "|" + tier, key -> {
            AtomicReference<Double> held = new AtomicReference<>(0.0);
            Gauge.builder(name, held, AtomicReference::get).description(description).tag("fleet", fleet)
                    .tag("tier", tier.wireName()).strongReference(true).register(registry);
            return held;
        });
    }

    /**
     * One run of a scheduled task.
     *
     * @param outcome {@code ok} or {@code failed}
     */
    public void scheduledTask(String task, String outcome) {
        Counter.builder("spillway.scheduler.tasks").description("Scheduled task runs, per task and outcome")
                .tag("task", task).tag("outcome", outcome).register(registry).increment();
        cloudWatch.scheduledTask(task, !"ok".equals(outcome));
    }

    /** What one reaper run did: jobs handed back to their queue, and jobs given up on past their deadline. */
    public void reaped(int reclaimed, int expired) {
        Counter.builder("spillway.reaper.jobs").description("Jobs the reaper acted on, per outcome")
                .tag("outcome", "reclaimed").register(registry).increment(reclaimed);
        Counter.builder("spillway.reaper.jobs").description("Jobs the reaper acted on, per outcome")
                .tag("outcome", "expired").register(registry).increment(expired);
        cloudWatch.reaped(reclaimed, expired);
    }

    /**
     * One write call to a downstream and how many items it carried: the summary's count is the calls, its total the
     * items, so total / count is what merging saves.
     *
     * @param downstream {@code sqs-send} or {@code dynamodb-create}
     */
    public void writeCall(String downstream, int items) {
        this.<DistributionSummary> meter("spillway.write.batch.size", downstream, null, () -> DistributionSummary
                .builder("spillway.write.batch.size")
                .description("Items per write call to a downstream (count = calls, total = items)")
                .tag("downstream", downstream).register(registry)).record(items);
    }

    /** The meter registered under this key, registering it on first use; lock-free once it exists. */
    @SuppressWarnings("unchecked")
    private <M> M meter(String name, String first, String second, Supplier<M> register) {
        MeterKey key = new MeterKey(name, first, second);
        Object meter = meters.get(key);
        return (M) (meter != null ? meter : meters.computeIfAbsent(key, k -> register.get()));
    }
}
