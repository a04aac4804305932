package dev.spillway.capacity.sim;

/** A GPU instance: billed from launch to termination, one task at a time. */
final class InstanceSim {

    final double launchedAt;
    /** When its first task is up: the end of the cold start. */
    final double bootedAt;
    double terminatedAt = Double.NaN;
    TaskSim task;
    /** When it last lost its task; it is removed {@code instanceLinger} later unless a task takes it. */
    double idleSince;

    InstanceSim(final double launchedAt, final double bootedAt) {
        this.launchedAt = launchedAt;
        this.bootedAt = bootedAt;
    }

    boolean alive() {
        return Double.isNaN(terminatedAt);
    }

    boolean idle() {
        return alive() && task == null;
    }

    double hoursUntil(final double end) {
        return ((alive() ? end : terminatedAt) - launchedAt) / 3600;
    }
}
