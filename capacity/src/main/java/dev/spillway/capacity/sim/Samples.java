package dev.spillway.capacity.sim;

import java.util.Arrays;

/** A growable list of floats: a day of jobs' waits without boxing each one. */
final class Samples {

    private float[] values = new float[1024];
    private int size;

    void add(final double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = (float) value;
    }

    int size() {
        return size;
    }

    float get(final int index) {
        return values[index];
    }

    WaitStats stats() {
        return WaitStats.of(Arrays.copyOf(values, size));
    }
}
