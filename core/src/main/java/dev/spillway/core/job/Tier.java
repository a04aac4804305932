package dev.spillway.core.job;

import java.util.Locale;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Priority tiers, highest first: each has its own queue, and workers serve them in this order. */
@RegisterForReflection
public enum Tier {
    INTERACTIVE, STANDARD, BATCH;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Tier fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
