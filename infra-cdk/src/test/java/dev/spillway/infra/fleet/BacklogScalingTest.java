package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class BacklogScalingTest {

    private static BacklogScaling scaling;
    private static Template template;

    @BeforeAll
    static void synthesize() {
        FleetStack fleet = DeployedApp.stacks().fleet();
        scaling = fleet.scaling();
        template = DeployedApp.template(fleet);
    }

    @Test
    void scalableTarget_isTheServiceCount_fromMinTasksToMaxTasks() {
        template.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 1);
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "ServiceNamespace", "ecs",
                "ScalableDimension", "ecs:service:DesiredCount",
                // the defaults: one task kept warm, six at most (docs/capacity.md)
                "MinCapacity", 1,
                "MaxCapacity", 6)));
    }

    @Test
    void targetTracking_keepsHeldAndWeightedWaitingMessagesPerRunningTaskAtLatencyOverProcessingTime() {
        // 30 s acceptable latency / 2 s per message
        assertThat(scaling.targetBacklogPerTask()).isEqualTo(15.0);
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyType", "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "TargetValue", 15,
                        "CustomizedMetricSpecification", Map.of("Metrics", Match.arrayWith(List.of(
                                Match.objectLike(Map.of(
                                        "Id", "backlog_per_task",
                                        "Expression", "(interactive_inflight + standard_inflight + "
                                                + "batch_inflight + 1 * interactive + 0.5 * standard + 0.1 * batch) / tasks",
                                        "ReturnData", true)),
                                sqsVisible("interactive"), sqsVisible("standard"), sqsVisible("batch"),
                                sqsInFlight("interactive_inflight"), sqsInFlight("standard_inflight"),
                                sqsInFlight("batch_inflight"),
                                Match.objectLike(Map.of(
                                        "Id", "tasks",
                                        "ReturnData", false,
                                        "MetricStat", Match.objectLike(Map.of("Metric", Match.objectLike(Map.of(
                                                "Namespace", "ECS/ContainerInsights",
                                                "MetricName", "RunningTaskCount"))))))))))))));
    }

    @Test
    void stepPolicy_addsATaskWhenThereIsBacklogAndNothingRuns() {
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyType", "StepScaling",
                "StepScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "AdjustmentType", "ChangeInCapacity",
                        "Cooldown", 600,
                        "StepAdjustments", List.of(Map.of("MetricIntervalLowerBound", 0, "ScalingAdjustment", 1)))))));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Threshold", 1,
                "Metrics", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Expression", "IF(((interactive + standard + batch) > 0 OR "
                                + "(FILL(scheduled_interactive, 0) + FILL(scheduled_standard, 0) + "
                                + "FILL(scheduled_batch, 0)) > 0) AND FILL(tasks, 0) == 0, 1, 0)")),
                        // the scheduler's count wakes the fleet even while SQS's metrics of an idle queue lag
                        Match.objectLike(Map.of("Id", "scheduled_interactive", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Map.of("Namespace", "Spillway", "MetricName", "Backlog",
                                        "Dimensions", List.of(Map.of("Name", "Fleet", "Value", "shared"), Map.of("Name", "Tier", "Value", "interactive"))),
                                "Stat", "Maximum")))))),
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("ScalingScaleOutFromZeroUpperPolicy.*"))))));
        template.resourceCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", 2);
    }

    @Test
    void everyNumber_comesFromTheCapacitySettingsThePlannerSimulates() {
        CapacitySettings defaults = CapacitySettings.defaults();
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "TargetValue", defaults.targetBacklogPerTask(),
                        "ScaleOutCooldown", defaults.scaleOutCooldown().toSeconds(),
                        "ScaleInCooldown", defaults.scaleInCooldown().toSeconds())))));
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "StepScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "Cooldown", defaults.scaleFromZeroCooldown().toSeconds())))));
        template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", defaults.minTasks(),
                "MaxCapacity", defaults.maxTasks())));
    }

    private static Object sqsInFlight(final String id) {
        return Match.objectLike(Map.of(
                "Id", id,
                "ReturnData", false,
                "MetricStat", Match.objectLike(Map.of(
                        "Stat", "Sum",
                        "Metric", Match.objectLike(Map.of(
                                "Namespace", "AWS/SQS",
                                "MetricName", "ApproximateNumberOfMessagesNotVisible"))))));
    }

    private static Object sqsVisible(final String id) {
        return Match.objectLike(Map.of(
                "Id", id,
                "ReturnData", false,
                "MetricStat", Match.objectLike(Map.of(
                        "Stat", "Sum",
                        "Metric", Match.objectLike(Map.of(
                                "Namespace", "AWS/SQS",
                                "MetricName", "ApproximateNumberOfMessagesVisible",
                                "Dimensions", List.of(Match.objectLike(Map.of("Name", "QueueName")))))))));
    }
}
