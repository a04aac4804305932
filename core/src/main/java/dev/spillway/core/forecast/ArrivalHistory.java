package dev.spillway.core.forecast;

import java.time.Instant;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The recorded intervals, where they survive restarts, and each fleet's pre-scaling ledger beside them. Every write is
 * conditional, so ticks that run twice at once record an interval once.
 */
public interface ArrivalHistory {

    /**
     * Records the count of {@code series} in the interval starting at {@code intervalStart}, unless it is recorded
     * already.
     *
     * @return true when written now, false when an earlier write has it
     */
    boolean record(Series series, Instant intervalStart, long count, Instant expires);

    /** The recorded counts of {@code series} with interval starts in {@code [from, to)}, by interval start. */
    NavigableMap<Instant, Long> read(Series series, Instant from, Instant to);

    /** The fleet's pre-scaling ledger, empty before its first tick. */
    Optional<PrescaleLedger> ledger(String fleet);

    /**
     * Replaces the fleet's ledger with {@code next} if it is still {@code previous} (empty: none yet).
     *
     * @return false when another tick changed it first: that tick's decision stands
     */
    boolean replaceLedger(String fleet, Optional<PrescaleLedger> previous, PrescaleLedger next);
}
