package dev.spillway.capacity.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The priority tiers as the planner sees them, highest first: one queue each, served in this order. */
public enum Tier {
    INTERACTIVE, STANDARD, BATCH;

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
