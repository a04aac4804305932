package dev.spillway.capacity.sim;

import java.time.Duration;

import dev.spillway.capacity.CapacitySettings;

/**
 * The intake function as the planner sees it.
 *
 * @param memoryMb           the function's memory (GB-seconds are what Lambda bills)
 * @param waitBudget         how long interactive and standard callers wait ({@code defaultWaitSeconds});
 *                           batch-tier work is submitted asynchronously and never held
 * @param holdRule           when a spilled request is held open
 * @param pollAfter          {@code Retry-After} of a 202 without an estimate, and between polls
 *                           ({@code spillway.intake.poll-after})
 * @param hitSeconds         a cache hit's time in the function
 * @param spillSeconds       a spill's time in the function before it waits or answers 202 (store, queue)
 * @param pollSeconds        a poll's time in the function
 */
public record IntakeModel(int memoryMb, Duration waitBudget, HoldRule holdRule, Duration pollAfter,
                          double hitSeconds, double spillSeconds, double pollSeconds) {

    public static IntakeModel defaults() {
        return new IntakeModel(2048, Duration.ofSeconds(CapacitySettings.DEFAULT_WAIT_SECONDS), HoldRule.ETA, Duration.ofSeconds(2), 0.01, 0.05, 0.01);
    }
}
