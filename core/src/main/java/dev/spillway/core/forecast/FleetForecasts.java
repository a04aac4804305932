package dev.spillway.core.forecast;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.forecast.HoltWinters;
import dev.spillway.capacity.policy.PrescaleOptions;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;

/**
 * Each fleet's forecast from its recorded intervals: the tiers summed per interval (a gap counted 0), fed to the
 * capacity module's additive {@link HoltWinters} with a season of one day, and forecast {@code spillway.forecast.horizon}
 * ahead. There is no forecast before two seasons are recorded, nor when the last recorded interval is older than the
 * recorder's catch-up (the recorder stopped: a forecast from there would be about the past).
 */
@ApplicationScoped
public class FleetForecasts {

    private final ArrivalHistory history;
    private final Fleets fleets;
    private final ForecastConfig config;
    private final PrescaleConfig prescale;
    private final Clock clock;

    public FleetForecasts(ArrivalHistory history, Fleets fleets, ForecastConfig config, PrescaleConfig prescale,
            Clock clock) {
        this.history = history;
        this.fleets = fleets;
        this.config = config;
        this.prescale = prescale;
        this.clock = clock;
    }

    /** The fleet's forecast as of {@code now}; empty without two seasons of recent history. */
    public Optional<FleetForecast> forecast(String fleet, Instant now) {
        Duration interval = config.interval();
        Instant to = Intervals.lastSettled(now, interval, config.settle()).plus(interval);
        Instant from = Intervals.startOf(now.minus(config.history()), interval);
        NavigableMap<Instant, Long> total = new TreeMap<>();
        for (Tier tier : Tier.values()) {
            history.read(new Series(fleet, tier), from, to).forEach((start, count) -> total.merge(start, count, Long::sum));
        }
        if (total.isEmpty() || total.lastKey().isBefore(to.minus(config.catchUp()).minus(interval))) {
            return Optional.empty();
        }
        int season = seasonIntervals();
        HoltWinters model = HoltWinters.withDefaults(season);
        for (Instant start = total.firstKey(); !start.isAfter(total.lastKey()); start = start.plus(interval)) {
            model.observe(total.getOrDefault(start, 0L));
        }
        if (!model.ready()) {
            return Optional.empty();
        }
        int steps = (int) Math.max(1, config.horizon().toSeconds() / interval.toSeconds());
        List<Double> arrivals = new ArrayList<>(steps);
        for (int h = 1; h <= steps; h++) {
            arrivals.add(Math.max(0, model.forecast(h)));
        }
        return Optional.of(new FleetForecast(fleet, total.lastKey(), interval, List.copyOf(arrivals), model));
    }

    /**
     * When {@code model}'s fleet is next forecast to need more tasks than now: the start of the first interval within
     * {@code horizon} whose forecast asks for more tasks than the current interval's. Empty when no rise is forecast
     * (or there is no forecast). For work that should be done before a peak, e.g. warming the cache.
     */
    public Optional<Instant> nextRise(String model, Duration horizon) {
        return nextRise(model, horizon, clock.instant());
    }

    /** {@link #nextRise(String, Duration)} as of {@code now}. */
    public Optional<Instant> nextRise(String model, Duration horizon, Instant now) {
        Optional<FleetForecast> forecast = forecast(fleets.of(model), now);
        if (forecast.isEmpty()) {
            return Optional.empty();
        }
        Duration interval = config.interval();
        Instant current = Intervals.startOf(now, interval);
        int tasksNow = tasksFor(forecast.get().arrivalsAt(current));
        for (Instant start = current.plus(interval); start.isBefore(now.plus(horizon)); start = start.plus(interval)) {
            if (tasksFor(forecast.get().arrivalsAt(start)) > tasksNow) {
                return Optional.of(start);
            }
        }
        return Optional.empty();
    }

    /** Tasks that serve an interval's arrivals with the configured headroom, as the pre-scaling floor counts them. */
    int tasksFor(double arrivals) {
        double jobsPerSecond = arrivals / config.interval().toSeconds();
        double taskJobsPerSecond = 1 / (prescale.meanProcessing().toMillis() / 1000.0);
        return (int) Math.ceil(jobsPerSecond * prescale.headroom() / taskJobsPerSecond - 1e-9);
    }

    /** The planner's options for this deployment: what {@code PredictiveScaler.floor} is asked with. */
    public PrescaleOptions options() {
        return new PrescaleOptions(prescale.gpuHoursPerDay(), prescale.headroom(), config.interval(), config.season(),
                prescale.metricLag(), prescale.instanceLinger());
    }

    /** The capacity settings the floor reads (throughput per task, cold start, most tasks) for a fleet's bounds. */
    public CapacitySettings settings(FleetFloor.Bounds bounds) {
        CapacitySettings defaults = CapacitySettings.defaults();
        return new CapacitySettings(defaults.instanceType(), bounds.minimum(), bounds.maximum(),
                defaults.workerConcurrency(), defaults.acceptableLatency(), prescale.meanProcessing(),
                defaults.scaleOutCooldown(), defaults.scaleInCooldown(), defaults.scaleFromZeroCooldown(),
                defaults.coldStartMin().compareTo(prescale.coldStart()) > 0 ? prescale.coldStart() : defaults.coldStartMin(),
                prescale.coldStart(), defaults.reservedConcurrency(), defaults.defaultWait());
    }

    private int seasonIntervals() {
        return (int) (config.season().toSeconds() / config.interval().toSeconds());
    }
}
