package dev.spillway.core.schedule;

import java.time.Instant;

/**
 * Housekeeping that runs on every tick of the scheduler (an EventBridge rule in AWS, a timer on the local stack).
 * Every implementation is a CDI bean; the scheduler runs each one, and one task's failure does not stop the others.
 * A tick may be late, repeated or run twice at once, so a task must be safe under all three.
 */
public interface ScheduledTask {

    /** Short stable name for logs and metrics, e.g. {@code reaper}. */
    String name();

    void run(Instant now);
}
