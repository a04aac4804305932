package dev.spillway.capacity.sim;

import java.util.Arrays;

/**
 * Queue waits (from the intake accepting a job to a worker starting it), in seconds; percentiles by the nearest-rank
 * method. A job still queued when the simulation ends counts with its wait so far, which makes these lower bounds.
 */
public record WaitStats(int count, double mean, double p50, double p90, double p99, double max) {

    public static final WaitStats NONE = new WaitStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** @param waits in seconds, sorted in place */
    public static WaitStats of(final float[] waits) {
        if (waits.length == 0) {
            return NONE;
        }
        Arrays.sort(waits);
        double sum = 0;
        for (float wait : waits) {
            sum += wait;
        }
        return new WaitStats(waits.length, sum / waits.length, rank(waits, 50), rank(waits, 90), rank(waits, 99),
                waits[waits.length - 1]);
    }

    static double rank(final float[] sorted, final double percentile) {
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
