package dev.spillway.local;

import java.time.Duration;

/**
 * How long to wait before replacing a worker that died: doubling from {@code initial} up to {@code max}, so a
 * worker that cannot start does not spin, and back to {@code initial} once a worker has stayed up {@code stableAfter}.
 */
final class RestartBackoff {

    private final Duration initial;
    private final Duration max;
    private final Duration stableAfter;
    private Duration next;

    RestartBackoff(Duration initial, Duration max, Duration stableAfter) {
        this.initial = initial;
        this.max = max;
        this.stableAfter = stableAfter;
        this.next = initial;
    }

    /** As ECS roughly does: 1 s doubling to 30 s, reset after a minute of uptime. */
    static RestartBackoff standard() {
        return new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** The delay before the next start, given how long the worker that just died had been up. */
    synchronized Duration afterExit(Duration uptime) {
        if (uptime.compareTo(stableAfter) >= 0) {
            next = initial;
        }
        Duration delay = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }
}
