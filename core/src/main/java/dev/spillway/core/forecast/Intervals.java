package dev.spillway.core.forecast;

import java.time.Duration;
import java.time.Instant;

/** Fixed intervals aligned to the epoch (5-minute intervals start at :00, :05, ...), the same in every process. */
public final class Intervals {

    private Intervals() {
    }

    /** The start of the interval {@code at} falls in. */
    public static Instant startOf(Instant at, Duration interval) {
        long length = interval.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), length) * length);
    }

    /** The start of the last interval that ended at least {@code settle} before {@code now}. */
    public static Instant lastSettled(Instant now, Duration interval, Duration settle) {
        return startOf(now.minus(settle), interval).minus(interval);
    }
}
