package dev.spillway.capacity.policy;

import dev.spillway.capacity.CapacitySettings;

/**
 * A way to size a fleet, by name ({@code bench/run plan --policy NAME}, {@code --compare A,B}). Add one by
 * implementing this and listing it in {@link ScalingPolicies}.
 */
public interface ScalingPolicy {

    /** What the command line and the report call it, e.g. {@code visible-only}. */
    String name();

    /** One line on what it does. */
    String summary();

    /** A fresh scaler for one fleet, configured by the same settings the CDK app synthesizes. */
    FleetScaler newScaler(CapacitySettings settings);
}
