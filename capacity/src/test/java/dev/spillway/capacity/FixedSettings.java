package dev.spillway.capacity;

import java.util.HashMap;
import java.util.Map;

/**
 * Settings whose numbers the tests' arithmetic is written against, independent of the defaults (which are chosen
 * with the planner and may move): 0 to 4 tasks, a target of 60 s / 6 s = 10 messages per task, and the account's
 * default 1,000 as the intake's reservation; {@code context} overrides any of them.
 */
public final class FixedSettings {

    private FixedSettings() {
    }

    public static CapacitySettings of(final Map<String, Object> context) {
        Map<String, Object> fixed = new HashMap<>(Map.of(
                CapacitySettings.MIN_TASKS, 0,
                CapacitySettings.MAX_TASKS, 4,
                CapacitySettings.ACCEPTABLE_LATENCY, 60,
                CapacitySettings.MEAN_PROCESSING, 6,
                CapacitySettings.RESERVED_CONCURRENCY, 1000));
        fixed.putAll(context);
        return CapacitySettings.fromContext(fixed::get);
    }

    public static CapacitySettings of() {
        return of(Map.of());
    }
}
