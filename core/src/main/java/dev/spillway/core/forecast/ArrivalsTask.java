package dev.spillway.core.forecast;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Moves each closed interval's counts from Redis into the arrivals table, where they survive restarts: every settled
 * interval of the last {@code catch-up} that is not recorded yet, so a tick missed (or a scheduler down) is made up
 * for. Ticks that run twice at once write each interval once (conditional writes). An interval whose counter is gone
 * (Redis restarted) is recorded as 0; when Redis cannot be read the tick fails and a later one records it.
 */
@ApplicationScoped
public class ArrivalsTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(ArrivalsTask.class);

    private final ArrivalCounter counter;
    private final ArrivalHistory history;
    private final Fleets fleets;
    private final ForecastConfig config;

    public ArrivalsTask(ArrivalCounter counter, ArrivalHistory history, Fleets fleets, ForecastConfig config) {
        this.counter = counter;
        this.history = history;
        this.fleets = fleets;
        this.config = config;
    }

    @Override
    public String name() {
        return "arrivals";
    }

    @Override
    public void run(Instant now) {
        if (!config.enabled()) {
            return;
        }
        record(now);
    }

    /** @return the intervals written by this call (series x interval) */
    public int record(Instant now) {
        Instant last = Intervals.lastSettled(now, config.interval(), config.settle());
        Instant first = Intervals.startOf(last.minus(config.catchUp()), config.interval());
        List<Series> all = series();
        int written = 0;
        for (Series series : all) {
            List<Instant> missing = new ArrayList<>();
            Map<Instant, Long> recorded = history.read(series, first, last.plus(config.interval()));
            for (Instant start = first; !start.isAfter(last); start = start.plus(config.interval())) {
                if (!recorded.containsKey(start)) {
                    missing.add(start);
                }
            }
            for (Instant start : missing) {
                long count = counter.read(List.of(series), start).getOrDefault(series, 0L);
                if (history.record(series, start, count, start.plus(config.retention()))) {
                    written++;
                }
            }
        }
        LOG.debugf("arrivals: %d intervals recorded up to %s", written, last);
        return written;
    }

    private List<Series> series() {
        List<Series> all = new ArrayList<>();
        for (String fleet : fleets.names()) {
            for (Tier tier : Tier.values()) {
                all.add(new Series(fleet, tier));
            }
        }
        return all;
    }
}
