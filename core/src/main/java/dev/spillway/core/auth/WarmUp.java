package dev.spillway.core.auth;

/**
 * A key's opt-in to hot-set warm-up: its tenant's most requested cacheable prompts are re-run as batch jobs before
 * their cache entries expire, at most {@code jobsPerHour} in each clock hour.
 */
public record WarmUp(boolean enabled, int jobsPerHour) {

    public static final WarmUp OFF = new WarmUp(false, 0);

    public WarmUp {
        if (jobsPerHour < 0 || (enabled && jobsPerHour == 0)) {
            throw new IllegalArgumentException("warm-up needs a budget of at least 1 job an hour, got " + jobsPerHour);
        }
        if (!enabled) {
            jobsPerHour = 0;
        }
    }

    public static WarmUp jobsPerHour(int jobsPerHour) {
        return new WarmUp(true, jobsPerHour);
    }
}
