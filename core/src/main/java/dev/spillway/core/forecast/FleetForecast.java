package dev.spillway.core.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.spillway.capacity.forecast.HoltWinters;

/**
 * A fleet's forecast as of its last recorded interval: the expected arrivals of each interval from {@code firstStart}
 * on, one per interval.
 *
 * @param lastRecorded start of the last interval the forecast has seen
 * @param interval     the intervals' length
 * @param arrivals     expected arrivals (all tiers) of the intervals after {@code lastRecorded}, nearest first
 * @param model        the fitted Holt-Winters, for the floor's question
 */
public record FleetForecast(String fleet, Instant lastRecorded, Duration interval, List<Double> arrivals,
        HoltWinters model) {

    /** Start of the first forecast interval. */
    public Instant firstStart() {
        return lastRecorded.plus(interval);
    }

    /** Expected arrivals of the interval {@code at} falls in; 0 outside the forecast. */
    public double arrivalsAt(Instant at) {
        long index = Duration.between(firstStart(), at).toSeconds() / interval.toSeconds();
        return at.isBefore(firstStart()) || index >= arrivals.size() ? 0 : Math.max(0, arrivals.get((int) index));
    }
}
