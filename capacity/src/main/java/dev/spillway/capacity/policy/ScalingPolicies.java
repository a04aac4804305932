package dev.spillway.capacity.policy;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.spillway.capacity.CapacitySettings;

/** The policies the planner knows, by name. */
public final class ScalingPolicies {

    /** The first deployment's: target tracking on visible messages per running task, step from zero. */
    public static final ScalingPolicy VISIBLE_ONLY = policy("visible-only",
            "target tracking on visible messages per running task + step from zero",
            settings -> new BacklogTargetTracking(settings, "visible", FleetMetrics::visible));

    /** The same with messages being worked on counted too, so a fleet that keeps up is not taken for idle. */
    public static final ScalingPolicy IN_FLIGHT = policy("in-flight",
            "target tracking on visible + in-flight messages per running task + step from zero",
            settings -> new BacklogTargetTracking(settings, "visible + in-flight",
                    metrics -> metrics.visible() + metrics.inFlight()));

    /** What the CDK app deploys ({@code BacklogScaling}): in-flight messages plus visible ones weighed by tier. */
    public static final ScalingPolicy WEIGHTED = policy("weighted",
            "target tracking on in-flight + tier-weighted visible messages per running task + step from zero: what "
                    + "the CDK app deploys",
            settings -> new BacklogTargetTracking(settings, "in-flight + weighted visible",
                    metrics -> metrics.weightedVisible() + metrics.inFlight()));

    /** Every task always on and warm: the queueing baseline, and what an always-on fleet costs. */
    public static final ScalingPolicy FIXED = policy("fixed", "maxTasks tasks always running and warm, no scaling",
            settings -> new FleetScaler() {
                @Override
                public int initialTasks() {
                    return settings.maxTasks();
                }

                @Override
                public Decision decide(final FleetMetrics metrics) {
                    return Decision.keep(settings.maxTasks());
                }
            });

    private static final Map<String, ScalingPolicy> BY_NAME = new LinkedHashMap<>();

    static {
        for (ScalingPolicy policy : List.of(WEIGHTED, VISIBLE_ONLY, IN_FLIGHT, FIXED)) {
            BY_NAME.put(policy.name(), policy);
        }
    }

    private ScalingPolicies() {
    }

    public static Collection<ScalingPolicy> all() {
        return BY_NAME.values();
    }

    /** @throws IllegalArgumentException naming the known policies */
    public static ScalingPolicy named(final String name) {
        ScalingPolicy policy = BY_NAME.get(name.strip());
        if (policy == null) {
            throw new IllegalArgumentException("no scaling policy named '" + name + "': the policies are "
                    + String.join(", ", BY_NAME.keySet()));
        }
        return policy;
    }

    private static ScalingPolicy policy(final String name, final String summary, final Function<CapacitySettings, FleetScaler> factory) {
        return new ScalingPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public FleetScaler newScaler(final CapacitySettings settings) {
                return factory.apply(settings);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
