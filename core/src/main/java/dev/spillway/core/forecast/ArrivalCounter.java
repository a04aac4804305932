package dev.spillway.core.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Counts of admitted jobs per fleet, tier and interval, kept briefly where counting costs a request nothing (Redis in
 * every deployment) until the scheduler records each closed interval durably ({@link ArrivalHistory}).
 */
public interface ArrivalCounter {

    /** Counts one arrival of {@code series} in the interval starting at {@code intervalStart}; kept for {@code keep}. */
    void increment(Series series, Instant intervalStart, Duration keep);

    /** The counts of {@code series} in the interval starting at {@code intervalStart}; absent series counted 0. */
    Map<Series, Long> read(List<Series> series, Instant intervalStart);
}
