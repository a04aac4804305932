package dev.spillway.capacity.hotset;

/**
 * Count-Min sketch (Cormode and Muthukrishnan, 2005): {@code depth} rows of {@code width} counters; a key adds to one
 * counter per row, chosen by a hash of its own per row, and its estimate is the smallest of its counters. An estimate
 * never falls below the true count; with width {@code ceil(e / epsilon)} and depth {@code ceil(ln(1 / delta))} it
 * exceeds it by at most {@code epsilon x N} (N: the total of all counts added) with probability at least
 * {@code 1 - delta}. Memory is fixed whatever the number of distinct keys: 2,719 x 5 counters (epsilon 0.001, delta
 * 0.01) take 109 KB.
 */
public final class CountMinSketch {

    private final int width;
    private final int depth;
    private final long[] counters;
    private final long[] seeds;
    private long total;

    /**
     * @param epsilon the error bound's share of the total count, in (0, 1)
     * @param delta   the probability that an estimate is off by more, in (0, 1)
     */
    public static CountMinSketch withError(final double epsilon, final double delta) {
        if (!(epsilon > 0 && epsilon < 1) || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("epsilon and delta are within (0, 1), got " + epsilon + " and " + delta);
        }
        return new CountMinSketch((int) Math.ceil(Math.E / epsilon), (int) Math.ceil(Math.log(1 / delta)));
    }

    public CountMinSketch(final int width, final int depth) {
        if (width < 1 || depth < 1) {
            throw new IllegalArgumentException("width and depth are at least 1, got " + width + " and " + depth);
        }
        this.width = width;
        this.depth = depth;
        this.counters = new long[width * depth];
        this.seeds = new long[depth];
        long seed = 0x9E3779B97F4A7C15L;
        for (int row = 0; row < depth; row++) {
            seed = mix(seed + row);
            seeds[row] = seed | 1;
        }
    }

    public int width() {
        return width;
    }

    public int depth() {
        return depth;
    }

    /** The sum of every count added: N of the error bound. */
    public long total() {
        return total;
    }

    /** Adds {@code count} (at least 0) to {@code key}; returns its new estimate. */
    public long add(final long key, final long count) {
        if (count < 0) {
            throw new IllegalArgumentException("counts only grow, got " + count);
        }
        total += count;
        long estimate = Long.MAX_VALUE;
        for (int row = 0; row < depth; row++) {
            int index = row * width + column(key, row);
            counters[index] += count;
            estimate = Math.min(estimate, counters[index]);
        }
        return estimate;
    }

    /** At least the true count of {@code key}; at most {@code epsilon x total} above it with probability 1 - delta. */
    public long estimate(final long key) {
        long estimate = Long.MAX_VALUE;
        for (int row = 0; row < depth; row++) {
            estimate = Math.min(estimate, counters[row * width + column(key, row)]);
        }
        return estimate;
    }

    /** Halves every counter: older requests weigh less, so the hot set follows what is asked for now. */
    public void decay() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] >>= 1;
        }
        total >>= 1;
    }

    /**
     * The counter {@code key} adds to in {@code row}, in [0, width): a sketch kept elsewhere (in Redis, by the
     * runtime) hashes as this one does, so the bound above holds for it too.
     */
    public int column(final long key, final int row) {
        return (int) Math.floorMod(mix(key * seeds[row]), (long) width);
    }

    /** SplitMix64's finaliser: every bit of the key moves every bit of the hash. */
    private static long mix(final long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
