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

    /** {@link #WEIGHTED} by the name that sets it against {@link #PREDICTIVE}: scaling that only reacts. */
    public static final ScalingPolicy REACTIVE = policy("reactive",
            "the same as weighted (what the CDK app deploys), named for comparison with predictive",
            settings -> WEIGHTED.newScaler(settings));

    /**
     * {@link #WEIGHTED} plus a floor raised ahead of forecast rises, with the default options and no history: it
     * learns from the plan itself. The planner builds one trained on earlier days ({@code PriorDays}).
     */
    public static final PredictiveScaling PREDICTIVE = new PredictiveScaling(PrescaleOptions.defaults(), Map.of());

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
        for (ScalingPolicy policy : List.of(WEIGHTED, REACTIVE, VISIBLE_ONLY, IN_FLIGHT, FIXED, PREDICTIVE)) {
            BY_NAME.put(policy.name(), policy);
        }
    }

    private ScalingPolicies() {
    }

    public static Collection<ScalingPolicy> all() {
        return BY_NAME.values();
    }

    /** The suffix that adds warm-up of the hot set to a policy: {@code reactive+warm-up}. */
    public static final String WARM_UP_SUFFIX = "+warm-up";

    /** {@code base} that also re-runs hot prompts before their cache entries expire, when the plan models the cache. */
    public static ScalingPolicy withWarmUp(final ScalingPolicy base) {
        return new WarmingUp(base);
    }

    /** A policy with warm-up, named {@code NAME+warm-up}: it scales as {@code base} does. */
    public record WarmingUp(ScalingPolicy base) implements ScalingPolicy {

        @Override
        public String name() {
            return base.name() + WARM_UP_SUFFIX;
        }

        @Override
        public String summary() {
            return base.summary() + "; hot prompts re-run before their cache entries expire";
        }

        @Override
        public boolean warmsUp() {
            return true;
        }

        @Override
        public FleetScaler newScaler(final CapacitySettings settings) {
            return base.newScaler(settings);
        }

        @Override
        public FleetScaler newScaler(final CapacitySettings settings, final String model) {
            return base.newScaler(settings, model);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** @throws IllegalArgumentException naming the known policies */
    public static ScalingPolicy named(final String name) {
        String stripped = name.strip();
        if (stripped.endsWith(WARM_UP_SUFFIX)) {
            return withWarmUp(named(stripped.substring(0, stripped.length() - WARM_UP_SUFFIX.length())));
        }
        ScalingPolicy policy = BY_NAME.get(stripped);
        if (policy == null) {
            throw new IllegalArgumentException("no scaling policy named '" + name + "': the policies are "
                    + String.join(", ", BY_NAME.keySet()) + ", each also as NAME" + WARM_UP_SUFFIX);
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
