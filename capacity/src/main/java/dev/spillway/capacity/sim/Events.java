package dev.spillway.capacity.sim;

import java.util.PriorityQueue;

/** The simulation's clock and agenda: actions run in time order, ties in the order they were scheduled. */
final class Events {

    private record Entry(double time, long sequence, Runnable action) implements Comparable<Entry> {
        @Override
        public int compareTo(final Entry other) {
            int byTime = Double.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Entry> agenda = new PriorityQueue<>();
    private long sequence;
    private double now;

    double now() {
        return now;
    }

    /** Runs {@code action} at {@code time}, or now if that is past. */
    void at(final double time, final Runnable action) {
        agenda.add(new Entry(Math.max(time, now), sequence++, action));
    }

    /** Runs the next action if it is due by {@code until}; false when there is none. */
    boolean runNext(final double until) {
        Entry next = agenda.peek();
        if (next == null || next.time() > until) {
            return false;
        }
        agenda.poll();
        now = next.time();
        next.action().run();
        return true;
    }

    /** Moves the clock to {@code time} without running anything (the end of the simulation). */
    void advanceTo(final double time) {
        now = Math.max(now, time);
    }
}
