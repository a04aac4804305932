package dev.spillway.intake;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.config.IntakeConfig;

/** How long a request may wait for its answer, and when a client that did not wait should look again. */
@ApplicationScoped
public class WaitBudgets {

    private final IntakeConfig intake;

    public WaitBudgets(IntakeConfig intake) {
        this.intake = intake;
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
}
