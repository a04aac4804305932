package dev.spillway.backend.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.config.EtaConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.eta.DrainReport;
import dev.spillway.core.eta.DrainReports;
import dev.spillway.core.queue.Fleets;

/**
 * Counts the jobs this worker finishes and how long each took from claim to finish, over a sliding window, and
 * reports the figures to its fleets every few seconds ({@link DrainReports}): the intake's finish estimates read them.
 * Counting is in memory, so a finished job costs no call; a report is one small write per fleet per interval.
 */
@ApplicationScoped
public class DrainMeter {

    private static final Logger LOG = Logger.getLogger(DrainMeter.class);

    private final DrainReports reports;
    private final EtaConfig config;
    private final WorkerConfig worker;
    private final WorkerIdentity identity;
    private final Set<String> fleets;
    private final Clock clock;
    private final Instant started;
    /** Finish times and service times (millis) within the window, oldest first. */
    private final Deque<long[]> completions = new ArrayDeque<>();
    /** The mean of the last window that had completions: what an idle worker reports as its service time. */
    private Duration lastMean = Duration.ZERO;

    public DrainMeter(DrainReports reports, EtaConfig config, WorkerConfig worker, WorkerIdentity identity,
            Fleets fleets, ModelsConfig models, Clock clock) {
        this.reports = reports;
        this.config = config;
        this.worker = worker;
        this.identity = identity;
        this.fleets = fleets.serving(models.served().keySet());
        this.clock = clock;
        this.started = clock.instant();
    }

    /** A job this worker claimed reached a final state after {@code serviceTime}. */
    public synchronized void completed(Duration serviceTime) {
        completions.addLast(new long[] { clock.millis(), Math.max(0, serviceTime.toMillis()) });
    }

    /** This worker's figures now. */
    public synchronized DrainReport report() {
        Instant now = clock.instant();
        long since = now.minus(config.window()).toEpochMilli();
        while (!completions.isEmpty() && completions.peekFirst()[0] <= since) {
            completions.removeFirst();
        }
        if (!completions.isEmpty()) {
            lastMean = Duration.ofMillis(
                    (long) completions.stream().mapToLong(completion -> completion[1]).average().orElse(0));
        }
        Duration window = Duration.between(started, now);
        if (window.compareTo(config.window()) > 0) {
            window = config.window();
        }
        return new DrainReport(identity.id(), worker.concurrency(), completions.size(), window, lastMean, now);
    }

    /** Reports to every fleet it reads; a report outlives a few missed intervals, not a dead worker. */
    public void publish() {
        DrainReport report = report();
        for (String fleet : fleets) {
            try {
                reports.publish(fleet, report, config.reportMaxAge().multipliedBy(2));
            } catch (RuntimeException e) {
                LOG.debugf("drain report to %s not written: %s", fleet, e.toString());
            }
        }
    }

    /** Stopping: its fleets no longer count it. */
    public void withdraw() {
        for (String fleet : fleets) {
            try {
                reports.withdraw(fleet, identity.id());
            } catch (RuntimeException e) {
                LOG.debugf("drain report in %s not withdrawn (it expires): %s", fleet, e.toString());
            }
        }
    }
}
