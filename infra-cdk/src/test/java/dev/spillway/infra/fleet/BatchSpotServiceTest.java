package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.SpillwayApp;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * {@code batchSpotMaxTasks}: beside the model's on-demand service, a service on Spot instances alone whose workers
 * take the batch tier only, scaled from zero on the batch backlog; the on-demand service keeps reading every tier.
 */
class BatchSpotServiceTest {

    private static FleetStack stack;
    private static Template fleet;

    @BeforeAll
    static void synthesize() {
        App app = SpillwayApp.newApp(Map.of("workerContext", DeployedApp.NO_WORKER_BUILD, "batchSpotMaxTasks", "3"));
        stack = SpillwayApp.assemble(app).fleet();
        fleet = Template.fromStack(stack);
    }

    @Test
    void theBatchSpotService_runsOnSpotInstancesAlone() {
        assertThat(stack.fleets().get(0).batchSpot()).isPresent();
        fleet.resourceCountIs("AWS::ECS::Service", 2);
        fleet.resourceCountIs("AWS::AutoScaling::AutoScalingGroup", 2);
        // every instance on Spot: no on-demand base, nothing on demand above it; 3 tasks + one of deploy headroom
        fleet.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MaxSize", "4",
                "MixedInstancesPolicy", Match.objectLike(Map.of("InstancesDistribution", Match.objectLike(Map.of(
                        "OnDemandBaseCapacity", 0,
                        "OnDemandPercentageAboveBaseCapacity", 0)))))));
        // the on-demand service's instances stay on demand (spot is off)
        fleet.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MixedInstancesPolicy", Match.objectLike(Map.of("InstancesDistribution", Match.objectLike(Map.of(
                        "OnDemandPercentageAboveBaseCapacity", 100)))))));
    }

    @Test
    void onlyTheBatchSpotWorkers_areToldToTakeTheBatchTierAlone() {
        List<String> tiersSettings = fleet.findResources("AWS::ECS::TaskDefinition").values().stream()
                .map(String::valueOf).filter(definition -> definition.contains(RuntimeEnvironment.WORKER_TIERS))
                .toList();
        assertThat(tiersSettings).singleElement().asString()
                .contains("Name=" + RuntimeEnvironment.WORKER_TIERS + ", Value=batch");
        assertThat(fleet.findResources("AWS::ECS::TaskDefinition")).hasSize(2);
    }

    @Test
    void theBatchSpotService_scalesFromZeroOnTheBatchBacklogAlone() {
        fleet.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", 0, "MaxCapacity", 3)));
        fleet.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Match.objectLike(Map.of(
                "PolicyType", "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "CustomizedMetricSpecification", Map.of("Metrics", Match.arrayWith(List.of(
                                Match.objectLike(Map.of(
                                        "Id", "backlog_per_task",
                                        "Expression", "(batch_inflight + 0.1 * batch) / tasks"))))))))));
    }
}
