package dev.spillway.capacity.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The priority tiers as the planner sees them, highest first: one queue each, served in this order. */
public enum Tier {
    INTERACTIVE(1.0), STANDARD(0.5), BATCH(0.1);

    private final double scalingWeight;

    Tier(final double scalingWeight) {
        this.scalingWeight = scalingWeight;
    }

    /**
     * How much one waiting job of this tier counts towards growing the fleet: the interactive tier's acceptable wait
     * over this tier's (standard work may wait twice as long, batch work ten times). The CDK app weighs each tier's
     * visible messages by it in the deployed scaling metric.
     */
    public double scalingWeight() {
        return scalingWeight;
    }

    /** As written in traces and reports: {@code interactive}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted labels */
    public static Tier ofLabel(final String label) {
        for (Tier tier : values()) {
            if (tier.label().equals(label.strip().toLowerCase(Locale.ROOT))) {
                return tier;
            }
        }
        throw new IllegalArgumentException("tier '" + label + "' is not one of "
                + Arrays.stream(values()).map(Tier::label).collect(Collectors.joining(", ")));
    }
}
