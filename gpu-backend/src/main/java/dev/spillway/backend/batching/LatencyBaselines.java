package dev.spillway.backend.batching;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How much slower than usual a server's last few completions were, for {@link AdaptiveConcurrencyLimit}.
 *
 * <p>A completion takes a fixed part (queueing, the prompt, the first token) plus a part per generated token, so
 * neither its latency nor its time per token compares a short answer with a long one. Completions are therefore
 * grouped by length, each group within 25% of its generated tokens, and each is compared with its group's usual
 * latency: the median of the group's first few, then an average that follows slower completions slowly and
 * faster ones quickly, so that a server which has become slower for good (longer prompts, a bigger model) becomes
 * the new usual rather than a lasting alarm, while the usual comes back down soon after a congestion ends.
 * Not thread-safe: the limit calls it under its own lock.
 */
final class LatencyBaselines {

    /** Completions weighed together: the median of five is not moved by two outliers. */
    static final int WINDOW = 5;
    /** A group's first completions, whose median becomes its usual latency; until then it gives no signal. */
    static final int WARM_UP = 5;
    /** How far the usual moves toward a slower completion (about fifty to settle) and toward a faster one. */
    private static final double RISE = 0.02;
    private static final double FALL = 0.1;
    private static final double GROUP_RATIO = Math.log(1.25);

    private final Map<Integer, Group> groups = new HashMap<>();
    private final double[] recent = new double[WINDOW];
    private int recorded;
    private int next;

    void record(Duration latency, int completionTokens) {
        Group group = groups.computeIfAbsent(groupOf(completionTokens), key -> new Group());
        double nanos = latency.toNanos();
        if (group.seen < WARM_UP) {
            group.first[group.seen++] = nanos;
            if (group.seen == WARM_UP) {
                group.usual = median(group.first);
            }
            return;
        }
        recent[next] = nanos / group.usual;
        next = (next + 1) % WINDOW;
        recorded = Math.min(WINDOW, recorded + 1);
        group.usual += (nanos > group.usual ? RISE : FALL) * (nanos - group.usual);
    }

    /** Median over the last {@link #WINDOW} completions of latency / their group's usual; 1 until there are as many. */
    double recentSlowdown() {
        return recorded < WINDOW ? 1 : median(recent);
    }

    /** Starts the window again, e.g. after the limit changed: completions that ran under the old one say little. */
    void forgetRecent() {
        recorded = 0;
        next = 0;
    }

    static int groupOf(int completionTokens) {
        return (int) Math.floor(Math.log(Math.max(1, completionTokens)) / GROUP_RATIO + 1e-9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static final class Group {
        final double[] first = new double[WARM_UP];
        int seen;
        double usual;
    }
}
