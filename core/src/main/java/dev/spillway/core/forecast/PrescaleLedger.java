package dev.spillway.core.forecast;

import java.time.Instant;

import dev.spillway.capacity.policy.PrescaleBudget;

/**
 * What pre-scaling remembers of a fleet between ticks and restarts: the day's GPU-hour charge, the extra tasks last
 * granted, and when.
 */
public record PrescaleLedger(PrescaleBudget.State budget, Instant lastTick) {
}
