package dev.spillway.capacity.policy;

/**
 * A scaling policy's answer for one period.
 *
 * @param desired the task count the service should have
 * @param reason  why it changed, null when it did not
 */
public record Decision(int desired, String reason) {

    public static Decision keep(final int desired) {
        return new Decision(desired, null);
    }
}
