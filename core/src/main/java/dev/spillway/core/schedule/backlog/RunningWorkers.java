package dev.spillway.core.schedule.backlog;

import java.util.OptionalInt;

/**
 * How many workers of a fleet are running now, where this process can tell (the local stack supervises its worker processes).
 * In AWS it cannot: the fleet's scaling policy divides the published backlog by Container Insights'
 * {@code RunningTaskCount} instead, and no per-worker figure is published.
 */
@FunctionalInterface
public interface RunningWorkers {

    /** Empty when unknown here. */
    OptionalInt count(String fleet);
}
