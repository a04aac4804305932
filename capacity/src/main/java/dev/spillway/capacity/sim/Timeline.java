package dev.spillway.capacity.sim;

import java.util.Arrays;

/**
 * The plan minute by minute, for the chart: point {@code i} describes the minute ending at {@code (i + 1) x 60} s.
 * Fleet figures are summed over the models' fleets.
 */
public final class Timeline {

    public static final double STEP_SECONDS = 60;

    private int size;
    private double[] arrivalsPerSecond = new double[64];
    private double[] spilledPerSecond = new double[64];
    private int[] visible = new int[64];
    private int[] inFlight = new int[64];
    private int[] desired = new int[64];
    private int[] serving = new int[64];
    private int[] starting = new int[64];
    private int[] intakeConcurrency = new int[64];
    private double[] waitP50;
    private double[] waitP99;

    void add(final double arrivals, final double spilled, final int visibleNow, final int inFlightNow,
             final int desiredNow, final int servingNow, final int startingNow, final int intakePeak) {
        if (size == visible.length) {
            int capacity = size * 2;
            arrivalsPerSecond = Arrays.copyOf(arrivalsPerSecond, capacity);
            spilledPerSecond = Arrays.copyOf(spilledPerSecond, capacity);
            visible = Arrays.copyOf(visible, capacity);
            inFlight = Arrays.copyOf(inFlight, capacity);
            desired = Arrays.copyOf(desired, capacity);
            serving = Arrays.copyOf(serving, capacity);
            starting = Arrays.copyOf(starting, capacity);
            intakeConcurrency = Arrays.copyOf(intakeConcurrency, capacity);
        }
        arrivalsPerSecond[size] = arrivals / STEP_SECONDS;
        spilledPerSecond[size] = spilled / STEP_SECONDS;
        visible[size] = visibleNow;
        inFlight[size] = inFlightNow;
        desired[size] = desiredNow;
        serving[size] = servingNow;
        starting[size] = startingNow;
        intakeConcurrency[size] = intakePeak;
        size++;
    }

    /** Sets the wait percentiles per minute from each job's enqueue minute and its wait. */
    void waits(final int[] minutes, final Samples waits, final int count) {
        int[] perMinute = new int[size + 1];
        for (int i = 0; i < count; i++) {
            perMinute[Math.min(minutes[i], size)]++;
        }
        float[][] grouped = new float[size + 1][];
        for (int m = 0; m <= size; m++) {
            grouped[m] = new float[perMinute[m]];
        }
        int[] filled = new int[size + 1];
        for (int i = 0; i < count; i++) {
            int m = Math.min(minutes[i], size);
            grouped[m][filled[m]++] = waits.get(i);
        }
        waitP50 = new double[size];
        waitP99 = new double[size];
        for (int m = 0; m < size; m++) {
            if (grouped[m].length == 0) {
                waitP50[m] = Double.NaN;
                waitP99[m] = Double.NaN;
            } else {
                Arrays.sort(grouped[m]);
                waitP50[m] = WaitStats.rank(grouped[m], 50);
                waitP99[m] = WaitStats.rank(grouped[m], 99);
            }
        }
    }

    public int size() {
        return size;
    }

    /** Requests reaching the API per second. */
    public double[] arrivalsPerSecond() {
        return Arrays.copyOf(arrivalsPerSecond, size);
    }

    /** Jobs queued per second. */
    public double[] spilledPerSecond() {
        return Arrays.copyOf(spilledPerSecond, size);
    }

    /** Visible messages at the end of the minute. */
    public int[] visible() {
        return Arrays.copyOf(visible, size);
    }

    /** Jobs held by workers at the end of the minute. */
    public int[] inFlight() {
        return Arrays.copyOf(inFlight, size);
    }

    public int[] desired() {
        return Arrays.copyOf(desired, size);
    }

    /** Tasks taking jobs. */
    public int[] serving() {
        return Arrays.copyOf(serving, size);
    }

    /** Tasks in their cold or warm start. */
    public int[] starting() {
        return Arrays.copyOf(starting, size);
    }

    /** Most intake functions busy at once during the minute. */
    public int[] intakeConcurrency() {
        return Arrays.copyOf(intakeConcurrency, size);
    }

    /** Median queue wait of the jobs accepted in the minute; NaN for a minute without jobs. */
    public double[] waitP50() {
        return waitP50.clone();
    }

    /** 99th percentile queue wait of the jobs accepted in the minute; NaN for a minute without jobs. */
    public double[] waitP99() {
        return waitP99.clone();
    }
}
