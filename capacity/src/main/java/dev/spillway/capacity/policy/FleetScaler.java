package dev.spillway.capacity.policy;

/** The scaling policies of one fleet during one plan: it keeps the state (alarm streaks, cooldowns) between periods. */
public interface FleetScaler {

    /** Tasks already running and warm when the plan starts; zero for a fleet that scales from zero. */
    default int initialTasks() {
        return 0;
    }

    /** Called once per metric period. */
    Decision decide(FleetMetrics metrics);
}
