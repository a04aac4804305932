package dev.spillway.infra.fleet;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.data.FleetQueues;
import dev.spillway.infra.data.Tier;
import dev.spillway.infra.data.TierQueue;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.applicationautoscaling.AdjustmentType;
import software.amazon.awscdk.services.applicationautoscaling.BasicStepScalingPolicyProps;
import software.amazon.awscdk.services.applicationautoscaling.CfnScalingPolicy;
import software.amazon.awscdk.services.applicationautoscaling.ScalableTarget;
import software.amazon.awscdk.services.applicationautoscaling.ScalingInterval;
import software.amazon.awscdk.services.applicationautoscaling.ServiceNamespace;
import software.amazon.awscdk.services.applicationautoscaling.StepScalingPolicy;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.IService;
import software.constructs.Construct;

/**
 * Desired task count of the worker service, from zero up, driven by the queue backlog.
 *
 * <ul>
 *   <li>Target tracking on backlog per task, {@code (sum(in-flight messages of the tiers) + sum(weight x visible
 *       messages of each tier)) / RunningTaskCount}, with target {@code acceptableLatency / meanProcessingTime}: the
 *       AWS pattern for queue workers. In-flight messages count because they are work the fleet holds: counting
 *       only visible ones puts a fleet that keeps up near zero, and target tracking then scales a busy fleet in
 *       (to zero after 15 quiet minutes) and restarts it cold while the backlog grows. Waiting work is weighted by
 *       how long its tier may wait ({@link #tierWeight}): a batch backlog grows the fleet, but ten times more
 *       slowly than the same interactive backlog. It is metric math, which the L2 does not render, hence the L1
 *       policy.</li>
 *   <li>Target tracking cannot leave zero (it scales proportionally to the running count, and the ratio is
 *       undefined without tasks), so a step policy adds one task when there is backlog and nothing running. It
 *       also reads the scheduler's {@code Spillway/Backlog} per tier (published every minute): SQS's own metrics
 *       of a queue idle for hours can take up to 15 minutes to wake, which would delay the first task.</li>
 * </ul>
 * Both read the running count from Container Insights ({@code ECS/ContainerInsights}), which the cluster enables.
 * Every number comes from {@link CapacitySettings}, which the capacity planner ({@code bench/run plan}) simulates.
 */
public final class BacklogScaling extends Construct {

    static final String TASKS_ID = "tasks";
    /** Suffix of a tier's in-flight query id, e.g. {@code interactive_inflight}. */
    static final String IN_FLIGHT_SUFFIX = "_inflight";
    /**
     * Weight of a tier's waiting messages: the interactive tier's acceptable latency over the tier's own (standard
     * work may wait twice as long as interactive work, batch work ten times), as the capacity planner simulates it.
     */
    public static double tierWeight(final Tier tier) {
        return dev.spillway.capacity.workload.Tier.valueOf(tier.name()).scalingWeight();
    }
    /** Where the scheduler's EMF lines land ({@code spillway.metrics.emf.namespace}). */
    static final String SCHEDULER_NAMESPACE = "Spillway";
    /** The scheduler's count of visible messages, dimensions {@code Fleet} and {@code Tier}. */
    static final String SCHEDULER_BACKLOG = "Backlog";

    private final ScalableTarget target;
    private final String resourceId;
    private final CfnScalingPolicy backlogPerTask;
    private final StepScalingPolicy scaleFromZero;
    private final double targetBacklogPerTask;

    public BacklogScaling(final Construct scope, final String id, final ICluster cluster, final IService service,
                          final FleetQueues queues, final CapacitySettings settings) {
        super(scope, id);

        this.targetBacklogPerTask = settings.targetBacklogPerTask();
        getNode().addValidation(settings::problems);

        this.resourceId = "service/" + cluster.getClusterName() + "/" + service.getServiceName();
        this.target = ScalableTarget.Builder.create(this, "Resource")
                .serviceNamespace(ServiceNamespace.ECS)
                .resourceId(resourceId)
                .scalableDimension("ecs:service:DesiredCount")
                .minCapacity(settings.minTasks())
                .maxCapacity(settings.maxTasks())
                .build();

        String backlogSum = queues.tiers().stream().map(t -> t.tier().id()).collect(Collectors.joining(" + "));

        List<CfnScalingPolicy.TargetTrackingMetricDataQueryProperty> queries = new ArrayList<>();
        queries.add(CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                .id("backlog_per_task")
                .label("In-flight plus weighted visible messages per running task")
                .expression("(" + heldAndWaiting(queues) + ") / " + TASKS_ID)
                .returnData(true)
                .build());
        for (TierQueue tier : queues.tiers()) {
            queries.add(query(tier.tier().id(), "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                    Map.of("QueueName", tier.queue().getQueueName()), "Sum"));
        }
        for (TierQueue tier : queues.tiers()) {
            queries.add(query(tier.tier().id() + IN_FLIGHT_SUFFIX, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible",
                    Map.of("QueueName", tier.queue().getQueueName()), "Sum"));
        }
        queries.add(query(TASKS_ID, "ECS/ContainerInsights", "RunningTaskCount",
                runningTaskDimensions(cluster, service), "Average"));

        this.backlogPerTask = CfnScalingPolicy.Builder.create(this, "BacklogPerTask")
                .policyName(getNode().getPath().replace('/', '-') + "-backlog-per-task")
                .policyType("TargetTrackingScaling")
                .scalingTargetId(target.getScalableTargetId())
                .targetTrackingScalingPolicyConfiguration(
                        CfnScalingPolicy.TargetTrackingScalingPolicyConfigurationProperty.builder()
                                .targetValue(targetBacklogPerTask)
                                .scaleOutCooldown((int) settings.scaleOutCooldown().toSeconds())
                                .scaleInCooldown((int) settings.scaleInCooldown().toSeconds())
                                .customizedMetricSpecification(
                                        CfnScalingPolicy.CustomizedMetricSpecificationProperty.builder()
                                                .metrics(queries)
                                                .build())
                                .build())
                .build();

        Map<String, IMetric> usingMetrics = new LinkedHashMap<>();
        for (TierQueue tier : queues.tiers()) {
            usingMetrics.put(tier.tier().id(), tier.queue().metricApproximateNumberOfMessagesVisible());
        }
        for (TierQueue tier : queues.tiers()) {
            usingMetrics.put(schedulerId(tier), Metric.Builder.create()
                    .namespace(SCHEDULER_NAMESPACE)
                    .metricName(SCHEDULER_BACKLOG)
                    .dimensionsMap(new TreeMap<>(Map.of("Fleet", queues.fleet(), "Tier", tier.tier().id())))
                    // a tick may be repeated: the same minute counted twice must not double the backlog
                    .statistic("Maximum")
                    .period(Duration.minutes(1))
                    .build());
        }
        usingMetrics.put(TASKS_ID, runningTasks(cluster, service));
        String schedulerSum = queues.tiers().stream().map(t -> "FILL(" + schedulerId(t) + ", 0)")
                .collect(Collectors.joining(" + "));
        MathExpression idleWithBacklog = MathExpression.Builder.create()
                .label("Backlog with no running task (1 = yes)")
                .expression("IF(((" + backlogSum + ") > 0 OR (" + schedulerSum + ") > 0) AND FILL(" + TASKS_ID
                        + ", 0) == 0, 1, 0)")
                .usingMetrics(usingMetrics)
                .period(Duration.minutes(1))
                .build();
        this.scaleFromZero = target.scaleOnMetric("ScaleOutFromZero", BasicStepScalingPolicyProps.builder()
                .metric(idleWithBacklog)
                .adjustmentType(AdjustmentType.CHANGE_IN_CAPACITY)
                .scalingSteps(List.of(
                        ScalingInterval.builder().upper(1).change(0).build(),
                        ScalingInterval.builder().lower(1).change(1).build()))
                .evaluationPeriods(1)
                .cooldown(Duration.seconds(settings.scaleFromZeroCooldown().toSeconds()))
                .build());
    }

    /** {@code a_inflight + b_inflight + ... + w_a * a + w_b * b + ...}: what the fleet holds plus what waits, weighted. */
    static String heldAndWaiting(final FleetQueues queues) {
        String held = queues.tiers().stream().map(t -> t.tier().id() + IN_FLIGHT_SUFFIX)
                .collect(Collectors.joining(" + "));
        String waiting = queues.tiers().stream().map(t -> weight(t.tier()) + " * " + t.tier().id())
                .collect(Collectors.joining(" + "));
        return held + " + " + waiting;
    }

    private static String weight(final Tier tier) {
        return BigDecimal.valueOf(tierWeight(tier)).stripTrailingZeros().toPlainString();
    }

    private static String schedulerId(final TierQueue tier) {
        return "scheduled_" + tier.tier().id();
    }

    private static CfnScalingPolicy.TargetTrackingMetricDataQueryProperty query(
            final String id, final String namespace, final String metricName, final Map<String, String> dimensions,
            final String stat) {
        return CfnScalingPolicy.TargetTrackingMetricDataQueryProperty.builder()
                .id(id)
                .returnData(false)
                .metricStat(CfnScalingPolicy.TargetTrackingMetricStatProperty.builder()
                        .stat(stat)
                        .metric(CfnScalingPolicy.TargetTrackingMetricProperty.builder()
                                .namespace(namespace)
                                .metricName(metricName)
                                .dimensions(dimensions.entrySet().stream()
                                        .map(e -> CfnScalingPolicy.TargetTrackingMetricDimensionProperty.builder()
                                                .name(e.getKey()).value(e.getValue()).build())
                                        .toList())
                                .build())
                        .build())
                .build();
    }

    private static Map<String, String> runningTaskDimensions(final ICluster cluster, final IService service) {
        Map<String, String> dims = new LinkedHashMap<>();
        dims.put("ClusterName", cluster.getClusterName());
        dims.put("ServiceName", service.getServiceName());
        return dims;
    }

    /** Running worker tasks, as Container Insights reports them. */
    public static Metric runningTasks(final ICluster cluster, final IService service) {
        return Metric.Builder.create()
                .namespace("ECS/ContainerInsights")
                .metricName("RunningTaskCount")
                .dimensionsMap(runningTaskDimensions(cluster, service))
                .statistic("Average")
                .period(Duration.minutes(1))
                .build();
    }

    /** The ECS service as Application Auto Scaling names it: {@code service/<cluster>/<service>}. */
    public String resourceId() {
        return resourceId;
    }

    public ScalableTarget target() {
        return target;
    }

    public CfnScalingPolicy backlogPerTaskPolicy() {
        return backlogPerTask;
    }

    public StepScalingPolicy scaleFromZeroPolicy() {
        return scaleFromZero;
    }

    public double targetBacklogPerTask() {
        return targetBacklogPerTask;
    }
}
