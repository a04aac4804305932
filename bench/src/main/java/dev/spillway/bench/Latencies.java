package dev.spillway.bench;

import java.util.Arrays;
import java.util.List;

/** Latencies of one measured run, in nanoseconds; percentiles by the nearest-rank method. */
public final class Latencies {

    private final long[] nanos;
    private final long elapsedNanos;

    public Latencies(long[] nanos, long elapsedNanos) {
        this.nanos = nanos.clone();
        Arrays.sort(this.nanos);
        this.elapsedNanos = elapsedNanos;
    }

    /** One run made of several: their latencies together over their summed time. */
    public static Latencies combined(List<Latencies> parts) {
        long[] all = parts.stream().flatMapToLong(part -> Arrays.stream(part.nanos)).toArray();
        return new Latencies(all, parts.stream().mapToLong(part -> part.elapsedNanos).sum());
    }

    public int count() {
        return nanos.length;
    }

    /** Milliseconds at percentile {@code p} (0-100). */
    public double percentileMillis(double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * nanos.length);
        return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1e6;
    }

    public double p50() {
        return percentileMillis(50);
    }

    public double p99() {
        return percentileMillis(99);
    }

    /** Completed operations per second of wall-clock time over the whole run. */
    public double perSecond() {
        return elapsedNanos == 0 ? Double.NaN : nanos.length / (elapsedNanos / 1e9);
    }
}
