package dev.spillway.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.job.Job;

/** How long a request may wait for its answer, and when a client that did not wait should look again. */
@ApplicationScoped
public class WaitBudgets {

    private final IntakeConfig intake;
    private final Clock clock;

    public WaitBudgets(IntakeConfig intake, Clock clock) {
        this.intake = intake;
        this.clock = clock;
    }

    /** Clamps a client-chosen wait to the configured maximum. */
    public Duration clamp(Duration requested) {
        if (requested.isNegative()) {
            return Duration.ZERO;
        }
        return requested.compareTo(intake.maxWait()) > 0 ? intake.maxWait() : requested;
    }

    public Duration defaultWait() {
        return clamp(intake.defaultWait());
    }

    public Duration pollAfter() {
        return intake.pollAfter();
    }

    /**
     * When a client should look at an unfinished job again: at its estimated finish while that lies ahead, else after
     * the configured poll interval.
     */
    public Duration retryAfter(Job job) {
        Instant estimate = job.estimatedFinishAt();
        if (estimate == null) {
            return pollAfter();
        }
        Duration untilEstimate = Duration.between(clock.instant(), estimate);
        return untilEstimate.compareTo(Duration.ofSeconds(1)) < 0 ? pollAfter() : untilEstimate;
    }

    /**
     * Whether waiting up to {@code budget} for {@code job} is hopeless: its estimated finish lies beyond the budget.
     * Holding such a request would only pin an intake (a Lambda instance) for the whole budget and then answer 202.
     */
    public boolean outlasts(Job job, Duration budget) {
        Instant estimate = job.estimatedFinishAt();
        return estimate != null && !job.status().isFinal() && estimate.isAfter(clock.instant().plus(budget));
    }
}
