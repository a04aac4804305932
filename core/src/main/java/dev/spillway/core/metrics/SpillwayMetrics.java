package dev.spillway.core.metrics;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.job.Tier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The numbers that show the machinery working, named once here. Prometheus exposes them at {@code /q/metrics}
 * (worker, local stack) with {@code .} turned into {@code _}.
 */
@ApplicationScoped
public class SpillwayMetrics {

    private final MeterRegistry registry;

    public SpillwayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * An accepted request and how it was served.
     *
     * @param lane {@code cache} or {@code spill}
     * @param cache {@code hit-l1}, {@code hit-l2}, {@code miss}, {@code bypass} or {@code coalesced}
     */
    public void request(String lane, String cache) {
        Counter.builder("spillway.requests").description("Accepted requests by lane and cache outcome")
                .tag("lane", lane).tag("cache", cache).register(registry).increment();
    }

    /** A request refused before anything was stored, by HTTP status. */
    public void refused(int status, String code) {
        Counter.builder("spillway.requests.refused").description("Requests refused, by status and error code")
                .tag("status", Integer.toString(status)).tag("code", code == null ? "none" : code)
                .register(registry).increment();
    }

    /** How long a job waited in its queue before a worker claimed it. */
    public void queueWait(Tier tier, Duration waited) {
        Timer.builder("spillway.queue.wait").description("Time from submit to claim, per tier")
                .tag("tier", tier.wireName()).publishPercentileHistogram().register(registry).record(waited);
    }

    /** One engine call and what it produced. */
    public void engineCall(String model, String outcome, Duration took, int completionTokens) {
        Timer.builder("spillway.engine.latency").description("Engine call duration, per model and outcome")
                .tag("model", model).tag("outcome", outcome).publishPercentileHistogram().register(registry)
                .record(took);
        if (completionTokens > 0) {
            Counter.builder("spillway.tokens.generated").description("Completion tokens generated, per model")
                    .tag("model", model).register(registry).increment(completionTokens);
        }
    }

    /**
     * What became of a job a worker handled.
     *
     * @param outcome {@code succeeded}, {@code failed}, {@code retried}, {@code dead_lettered} or {@code dropped}
     */
    public void jobOutcome(Tier tier, String outcome) {
        Counter.builder("spillway.jobs").description("Jobs handled by workers, per tier and outcome")
                .tag("tier", tier.wireName()).tag("outcome", outcome).register(registry).increment();
    }

    /**
     * One write call to a downstream and how many items it carried: the summary's count is the calls, its total the
     * items, so total / count is what merging saves.
     *
     * @param downstream {@code sqs-send} or {@code dynamodb-create}
     */
    public void writeCall(String downstream, int items) {
        DistributionSummary.builder("spillway.write.batch.size")
                .description("Items per write call to a downstream (count = calls, total = items)")
                .tag("downstream", downstream).register(registry).record(items);
    }
}
