package dev.spillway.core.eta;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.config.EtaConfig;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueueDepth;
import dev.spillway.core.queue.WorkQueue;

/**
 * When a job about to be queued will finish: from the backlog ahead of it in its model's fleet and that fleet's
 * measured drain rate, plus a cold start when no worker of the fleet is running.
 *
 * <p>Ahead of a job of tier T are the visible messages of T and of every higher tier (workers serve higher tiers
 * first) and every message in flight (they hold the slots). The drain rate is the fleet's completions per second over
 * the workers' window, or its capacity (slots / mean service time, both reported by the workers) when that is higher:
 * a fleet that was not busy for the whole window, as when a surge has just begun, drains faster than it did. With a
 * free slot and nothing visible ahead the job starts at once and takes one service time. So:
 * <pre>
 *   wait = (no live worker ? cold start : 0) + max(service time, (visible ahead + in flight + 1) / drain rate)
 * </pre>
 * A steady backlog of k jobs ahead on a fleet of c slots and service time s gives s (k + c + 1) / c, which is when the
 * job's turn comes (k + 1 slots freed, at c / s per second) plus its own service time. The inputs are read once per
 * fleet per {@code reading-ttl} (three SQS depth reads and one Redis read), so a surge of requests costs no more:
 * while one request reads, the others arriving for that fleet wait for its reading rather than read too.
 * Without them (Redis or SQS unreachable) there is no estimate, and callers wait as they asked.
 */
@ApplicationScoped
public class FinishEstimator {

    private static final Logger LOG = Logger.getLogger(FinishEstimator.class);

    private final WorkQueue queue;
    private final Fleets fleets;
    private final DrainReports reports;
    private final EtaConfig config;
    private final Clock clock;
    private final Map<String, CompletableFuture<Reading>> readings = new ConcurrentHashMap<>();

    public FinishEstimator(WorkQueue queue, Fleets fleets, DrainReports reports, EtaConfig config, Clock clock) {
        this.queue = queue;
        this.fleets = fleets;
        this.reports = reports;
        this.config = config;
        this.clock = clock;
    }

    /** What one reading of a fleet found. */
    record Reading(Instant at, Map<Tier, QueueDepth> depths, List<DrainReport> reports) {
    }

    /** Empty when estimates are off or their inputs cannot be read now. */
    public Optional<Instant> estimate(String model, Tier tier) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        try {
            Reading reading = reading(fleets.of(model), now);
            return Optional.of(now.plus(wait(reading, tier, now)));
        } catch (RuntimeException e) {
            LOG.debugf("no finish estimate for %s: %s", model, e.toString());
            return Optional.empty();
        }
    }

    /**
     * The fleet's reading if still fresh, else a new one: the first request to find it stale reads, and requests
     * arriving meanwhile wait for that read (a surge's first second would otherwise send each of them to SQS).
     */
    private Reading reading(String fleet, Instant now) {
        CompletableFuture<Reading> mine = new CompletableFuture<>();
        CompletableFuture<Reading> current = readings.compute(fleet,
                (key, existing) -> existing != null && (!existing.isDone() || fresh(existing, now)) ? existing : mine);
        if (current == mine) {
            try {
                Map<Tier, QueueDepth> depths = new EnumMap<>(Tier.class);
                for (Tier tier : Tier.values()) {
                    depths.put(tier, queue.depth(fleet, tier));
                }
                mine.complete(new Reading(now, depths, reports.read(fleet)));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e); // the next request reads again
            }
        }
        try {
            return current.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private boolean fresh(CompletableFuture<Reading> done, Instant now) {
        return !done.isCompletedExceptionally() && done.join().at().plus(config.readingTtl()).isAfter(now);
    }

    /** How long a job of {@code tier} queued now will take to finish; see the class comment. */
    Duration wait(Reading reading, Tier tier, Instant now) {
        long visibleAhead = 0;
        long inFlight = 0;
        for (Tier each : Tier.values()) {
            QueueDepth depth = reading.depths().get(each);
            inFlight += depth.inFlight();
            if (each.compareTo(tier) <= 0) {
                visibleAhead += depth.visible();
            }
        }
        Instant staleBefore = now.minus(config.reportMaxAge());
        List<DrainReport> live = reading.reports().stream().filter(report -> report.at().isAfter(staleBefore)).toList();
        double serviceSeconds = meanServiceSeconds(live, reading.reports());
        boolean cold = live.isEmpty();
        int slots = cold ? config.coldFleetSlots() : live.stream().mapToInt(DrainReport::slots).sum();
        double capacity = Math.max(1, slots) / serviceSeconds;
        double measured = live.stream()
                .mapToDouble(report -> report.completions() / Math.max(1.0, report.window().toMillis() / 1000.0))
                .sum();
        double rate = Math.max(measured, capacity);
        double seconds = (visibleAhead == 0 && inFlight < slots) ? serviceSeconds
                : Math.max(serviceSeconds, (visibleAhead + inFlight + 1) / rate);
        Duration wait = Duration.ofMillis((long) Math.ceil(seconds * 1000));
        return cold ? wait.plus(config.coldStart()) : wait;
    }

    /**
     * The completion-weighted mean of the live workers' service times; with no completion in the window, the mean of
     * the last ones any worker still on record measured (a fleet scaled to zero keeps its model's service time until
     * its reports expire); before any, the configured default.
     */
    private double meanServiceSeconds(List<DrainReport> live, List<DrainReport> all) {
        long completions = live.stream().mapToLong(DrainReport::completions).sum();
        if (completions == 0) {
            double lastKnown = all.stream().mapToLong(report -> report.meanServiceTime().toMillis())
                    .filter(millis -> millis > 0).average().orElse(config.defaultServiceTime().toMillis());
            return Math.max(0.001, lastKnown / 1000.0);
        }
        double weighted = live.stream()
                .mapToDouble(report -> report.completions() * report.meanServiceTime().toMillis() / 1000.0).sum();
        return Math.max(0.001, weighted / completions);
    }
}
