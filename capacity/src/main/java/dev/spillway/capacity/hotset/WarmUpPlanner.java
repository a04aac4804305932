package dev.spillway.capacity.hotset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * Chooses which hot prompts to re-run at batch priority so that their cache entries are fresh when they are asked
 * for: the most frequent first, those whose entry is missing or expires before a given time (the next check, or the
 * end of a predicted peak's first part), at most {@code jobsPerHour} in each clock hour.
 */
public final class WarmUpPlanner {

    private final int jobsPerHour;
    private long hour = Long.MIN_VALUE;
    private int pickedThisHour;
    private long picked;

    public WarmUpPlanner(final int jobsPerHour) {
        if (jobsPerHour < 0) {
            throw new IllegalArgumentException("the warm-up budget is at least 0 jobs an hour, got " + jobsPerHour);
        }
        this.jobsPerHour = jobsPerHour;
    }

    /**
     * @param now       seconds
     * @param hottest   keys with their counts, most frequent first ({@link HeavyHitters#top()})
     * @param expiresAt when a key's cache entry expires, in seconds; negative infinity when it has none
     * @param until     keys whose entry outlives this need nothing
     * @return the keys to re-run now, most frequent first
     */
    public List<Long> pick(final double now, final List<Map.Entry<Long, Long>> hottest,
                           final LongToDoubleFunction expiresAt, final double until) {
        long currentHour = (long) Math.floor(now / 3600);
        if (currentHour != hour) {
            hour = currentHour;
            pickedThisHour = 0;
        }
        List<Long> chosen = new ArrayList<>();
        for (Map.Entry<Long, Long> entry : hottest) {
            if (pickedThisHour >= jobsPerHour) {
                break;
            }
            if (expiresAt.applyAsDouble(entry.getKey()) < until) {
                chosen.add(entry.getKey());
                pickedThisHour++;
                picked++;
            }
        }
        return chosen;
    }

    /** Keys chosen so far, over every hour. */
    public long picked() {
        return picked;
    }
}
