package dev.spillway.capacity.policy;

import java.time.Duration;

/**
 * How the {@code predictive} policy raises a fleet's floor ahead of a forecast rise.
 *
 * @param gpuHoursPerDay   most task-hours the floor may add above what reactive scaling wants, per day of 24 h
 *                         (each added task charged from the minute it is asked for, and its instance's linger when it
 *                         is released): what a wrong forecast can cost at most
 * @param headroom         tasks asked for = forecast jobs per second x headroom / one task's jobs per second; above 1
 *                         so that the tasks keep up with a rate a little above the forecast without a queue
 * @param interval         the forecast's interval: arrivals are counted per interval
 * @param season           the forecast's season, a whole number of intervals
 * @param metricLag        how late the metrics reach the scaler; with {@code coldStartMaxSeconds} the lead time by
 *                         which the floor is raised ahead of the forecast
 * @param instanceLinger   how long a released task's instance stays up and billed (ECS managed scaling: 15 min)
 */
public record PrescaleOptions(double gpuHoursPerDay, double headroom, Duration interval, Duration season,
                              Duration metricLag, Duration instanceLinger) {

    /**
     * 12 GPU-hours a day (about $9.70 of {@code g6.xlarge}): on the daily profile at 1 request/s, 4 were spent by
     * 07:00, before the peak; 12 last through its first hours (docs/capacity.md, "Predictive capacity").
     */
    public static final double DEFAULT_GPU_HOURS_PER_DAY = 12;
    public static final double DEFAULT_HEADROOM = 1.25;

    public PrescaleOptions {
        if (!(gpuHoursPerDay >= 0)) {
            throw new IllegalArgumentException("the pre-scaling budget is at least 0 GPU-hours a day, got "
                    + gpuHoursPerDay);
        }
        if (!(headroom >= 1)) {
            throw new IllegalArgumentException("the pre-scaling headroom is at least 1, got " + headroom);
        }
        if (interval.toSeconds() < 60 || interval.toSeconds() % 60 != 0
                || season.toSeconds() % interval.toSeconds() != 0
                || season.toSeconds() < 2 * interval.toSeconds()) {
            throw new IllegalArgumentException("the forecast interval is whole minutes and the season a whole number "
                    + "of at least 2 intervals, got " + interval + " and " + season);
        }
    }

    /** 5-minute intervals, a season of one day, a one-minute metric lag and a 15-minute linger. */
    public static PrescaleOptions defaults() {
        return new PrescaleOptions(DEFAULT_GPU_HOURS_PER_DAY, DEFAULT_HEADROOM, Duration.ofMinutes(5),
                Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofMinutes(15));
    }

    public PrescaleOptions withBudget(final double value) {
        return new PrescaleOptions(value, headroom, interval, season, metricLag, instanceLinger);
    }

    public PrescaleOptions withHeadroom(final double value) {
        return new PrescaleOptions(gpuHoursPerDay, value, interval, season, metricLag, instanceLinger);
    }

    public PrescaleOptions withFleet(final Duration lag, final Duration linger) {
        return new PrescaleOptions(gpuHoursPerDay, headroom, interval, season, lag, linger);
    }

    public int seasonIntervals() {
        return (int) (season.toSeconds() / interval.toSeconds());
    }
}
