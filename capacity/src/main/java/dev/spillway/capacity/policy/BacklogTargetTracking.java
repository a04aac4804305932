package dev.spillway.capacity.policy;

import java.time.Duration;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import dev.spillway.capacity.CapacitySettings;

/**
 * The scaling the CDK app deploys ({@code BacklogScaling}), as Application Auto Scaling runs it:
 * <ul>
 *   <li>target tracking on a backlog per running task with target {@code acceptableLatency / meanProcessingTime}. AWS
 *       creates its two alarms: scale out after {@value #HIGH_DATAPOINTS} consecutive minutes above the target, scale
 *       in after {@value #LOW_DATAPOINTS} consecutive minutes below {@value #LOW_THRESHOLD} of it, each to
 *       {@code ceil(desired x metric / target)} within [0, maxTasks]. A scale-in waits for the scale-in cooldown; a
 *       scale-out within the scale-out cooldown only goes past the count the previous one set. With no running
 *       task the metric has no value (a division by zero), so the alarms see no data and do nothing;</li>
 *   <li>a step policy that adds one task when there is backlog and no running task, then waits its own cooldown.</li>
 * </ul>
 * The two policies share the backlog metric's definition, which is what distinguishes the named policies.
 */
public final class BacklogTargetTracking implements FleetScaler {

    static final int HIGH_DATAPOINTS = 3;
    static final int LOW_DATAPOINTS = 15;
    static final double LOW_THRESHOLD = 0.9;

    private final CapacitySettings settings;
    private final String metricName;
    private final ToDoubleFunction<FleetMetrics> backlog;
    private int highStreak;
    private int lowStreak;
    private double lastScaleOut = Double.NEGATIVE_INFINITY;
    private int desiredAfterLastScaleOut;
    private double lastScaleIn = Double.NEGATIVE_INFINITY;
    private double lastStep = Double.NEGATIVE_INFINITY;

    /**
     * @param metricName how reasons name the backlog, e.g. {@code visible messages}
     * @param backlog    the backlog that target tracking divides by the running tasks
     */
    public BacklogTargetTracking(final CapacitySettings settings, final String metricName,
                                 final ToDoubleFunction<FleetMetrics> backlog) {
        this.settings = settings;
        this.metricName = metricName;
        this.backlog = backlog;
    }

    /** The minimum the scalable target keeps: running and warm before the plan starts. */
    @Override
    public int initialTasks() {
        return settings.minTasks();
    }

    @Override
    public Decision decide(final FleetMetrics metrics) {
        double target = settings.targetBacklogPerTask();
        int desired = metrics.desired();
        double now = metrics.time();
        if (metrics.runningTasks() > 0) {
            double perTask = backlog.applyAsDouble(metrics) / metrics.runningTasks();
            highStreak = perTask > target ? highStreak + 1 : 0;
            lowStreak = perTask < LOW_THRESHOLD * target ? lowStreak + 1 : 0;
            int proportional = (int) Math.ceil(desired * perTask / target);
            if (highStreak >= HIGH_DATAPOINTS) {
                int wanted = Math.min(settings.maxTasks(), proportional);
                boolean cooling = now < lastScaleOut + seconds(settings.scaleOutCooldown());
                if (wanted > desired && (!cooling || wanted > desiredAfterLastScaleOut)) {
                    lastScaleOut = now;
                    desiredAfterLastScaleOut = wanted;
                    return new Decision(wanted, String.format(Locale.ROOT,
                            "target tracking: %s per task %.1f above %.1f for %d min", metricName, perTask, target,
                            HIGH_DATAPOINTS));
                }
            } else if (lowStreak >= LOW_DATAPOINTS && now >= lastScaleIn + seconds(settings.scaleInCooldown())) {
                int wanted = Math.max(settings.minTasks(), proportional);
                if (wanted < desired) {
                    lastScaleIn = now;
                    return new Decision(wanted, String.format(Locale.ROOT,
                            "target tracking: %s per task %.1f below %.1f for %d min", metricName, perTask,
                            LOW_THRESHOLD * target, LOW_DATAPOINTS));
                }
            }
        } else {
            highStreak = 0;
            lowStreak = 0;
        }
        if (metrics.visible() > 0 && metrics.runningTasks() == 0 && desired < settings.maxTasks()
                && now >= lastStep + seconds(settings.scaleFromZeroCooldown())) {
            lastStep = now;
            return new Decision(desired + 1, "step: backlog and no running task");
        }
        return Decision.keep(desired);
    }

    private static double seconds(final Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
