package dev.spillway.intake.direct;

/**
 * The client's wait budget cannot hold another attempt (or the {@code Retry-After} the upstream asked for), so the
 * direct lane gives up on this target and the request spills to the queue instead.
 */
final class WaitBudgetSpent extends RuntimeException {

    WaitBudgetSpent(String message, Throwable lastFailure) {
        super(message, lastFailure, false, false);
    }
}
