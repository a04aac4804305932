package dev.spillway.capacity.sim;

/** A change of a fleet's desired task count, and the policy's reason. */
public record ScalingEvent(double time, String model, int from, int to, String reason) {
}
