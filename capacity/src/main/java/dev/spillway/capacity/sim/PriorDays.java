package dev.spillway.capacity.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.policy.Decision;
import dev.spillway.capacity.policy.FleetMetrics;
import dev.spillway.capacity.policy.FleetScaler;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.policy.ScalingPolicy;
import dev.spillway.capacity.workload.Workload;

/**
 * The history a forecast starts a plan with: earlier days of the same profile, drawn with other seeds and simulated
 * under reactive scaling, counted as each fleet's scaler sees them (spilled arrivals per metric period, as late as
 * the metrics are) and summed per forecast interval. The spilled arrivals do not depend on the scaling policy (the
 * cache and the direct lane decide them), so the history is what the scheduler would have recorded.
 *
 * <p>Why other seeds rather than a plan of several days judged on its last: the plan judged stays the one-day plan
 * the other policies are judged on, with the same arrivals, and the forecast still has to cope with another day's
 * noise than the one it learnt.
 */
public final class PriorDays {

    private PriorDays() {
    }

    /**
     * @param workloadOfSeed the same workload drawn with another seed, one season long
     * @param seeds          the earlier days' seeds, oldest first
     * @param periods        metric periods (minutes) per day
     * @param perInterval    metric periods per forecast interval
     * @return per model, arrivals per interval over the days, oldest first
     */
    public static Map<String, double[]> spilledArrivals(final LongFunction<Workload> workloadOfSeed,
                                                        final SystemModel system, final long[] seeds,
                                                        final int periods, final int perInterval) {
        int intervals = periods / perInterval;
        Map<String, double[]> history = new LinkedHashMap<>();
        for (int day = 0; day < seeds.length; day++) {
            Map<String, int[]> counts = new LinkedHashMap<>();
            Simulation.run(workloadOfSeed.apply(seeds[day]), system, recording(counts, periods));
            for (Map.Entry<String, int[]> entry : counts.entrySet()) {
                double[] series = history.computeIfAbsent(entry.getKey(),
                        model -> new double[seeds.length * intervals]);
                for (int period = 0; period < intervals * perInterval; period++) {
                    series[day * intervals + period / perInterval] += entry.getValue()[period];
                }
            }
        }
        return history;
    }

    /** Reactive scaling that writes down each period's arrivals per model. */
    private static ScalingPolicy recording(final Map<String, int[]> counts, final int periods) {
        ScalingPolicy reactive = ScalingPolicies.REACTIVE;
        return new ScalingPolicy() {
            @Override
            public String name() {
                return reactive.name();
            }

            @Override
            public String summary() {
                return reactive.summary();
            }

            @Override
            public FleetScaler newScaler(final CapacitySettings settings) {
                throw new UnsupportedOperationException("the recording needs the fleet's model");
            }

            @Override
            public FleetScaler newScaler(final CapacitySettings settings, final String model) {
                FleetScaler scaler = reactive.newScaler(settings, model);
                int[] perPeriod = counts.computeIfAbsent(model, name -> new int[periods]);
                return new FleetScaler() {
                    private int period;

                    @Override
                    public int initialTasks() {
                        return scaler.initialTasks();
                    }

                    @Override
                    public Decision decide(final FleetMetrics metrics) {
                        if (period < periods) {
                            perPeriod[period++] = metrics.arrivals();
                        }
                        return scaler.decide(metrics);
                    }
                };
            }
        };
    }
}
