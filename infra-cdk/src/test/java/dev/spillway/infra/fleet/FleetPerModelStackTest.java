package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.SpillwayApp;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * Two models declared in the settings' one list of models ({@code models} context): each gets its own queues, ECS
 * service, capacity provider, instance type, GPU count, engine flags, size and backlog scaling, and its workers know
 * only their model and read only its queues.
 */
class FleetPerModelStackTest {

    private static final String SECOND = "deepseek-coder-33b";

    private static SpillwayApp.Stacks stacks;
    private static Template fleet;

    @BeforeAll
    static void synthesize() {
        App app = SpillwayApp.newApp(Map.of("workerContext", DeployedApp.NO_WORKER_BUILD,
                "models", List.of(Map.of("name", SECOND, "huggingFaceModel", "deepseek-ai/deepseek-coder-33b-instruct",
                        "instanceType", "g6.12xlarge", "gpuCount", 4, "minTasks", 1, "maxTasks", 2,
                        "workerConcurrency", 16, "engineArgs", List.of("--max-num-seqs", "64")))));
        stacks = SpillwayApp.assemble(app);
        fleet = Template.fromStack(stacks.fleet());
    }

    @Test
    void eachModel_hasItsOwnServiceCapacityProviderAndInstanceType() {
        assertThat(stacks.fleet().fleets()).extracting(f -> f.model().servedName())
                .containsExactly("deepseek-r1-distill-qwen-7b", SECOND);
        fleet.resourceCountIs("AWS::ECS::Service", 2);
        fleet.resourceCountIs("AWS::ECS::CapacityProvider", 2);
        fleet.resourceCountIs("AWS::AutoScaling::AutoScalingGroup", 2);
        fleet.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of("InstanceType", "g6.xlarge")))));
        fleet.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of("InstanceType", "g6.12xlarge")))));
        // maxTasks 2 + one instance of deploy headroom
        fleet.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of("MaxSize", "3")));
    }

    @Test
    void theSecondModelsEngine_runsOnFourGpusWithItsOwnFlags() {
        fleet.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "vllm",
                        "ResourceRequirements", List.of(Map.of("Type", "GPU", "Value", "4")),
                        "Command", Match.arrayWith(List.of("--served-model-name", SECOND, "--host", "0.0.0.0",
                                "--tensor-parallel-size", "4", "--max-num-seqs", "64")))))))));
    }

    @Test
    void eachWorker_knowsOnlyItsModel_andReadsOnlyItsQueues() {
        fleet.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "worker",
                        "Environment", Match.arrayWith(List.of(
                                env("SPILLWAY_JOBS_TABLE", Match.anyValue()),
                                env("SPILLWAY_MODELS_DEFAULT_QUEUES_INTERACTIVE_URL", Match.anyValue()),
                                env("SPILLWAY_MODELS_DEFAULT_QUEUES_BATCH_DLQ_URL", Match.anyValue()),
                                env("SPILLWAY_MODELS_DEFAULT_SERVED_NAME", SECOND),
                                env("SPILLWAY_WORKER_CONCURRENCY", "16"))))))))));
        // neither worker is told the other model, and only the first model's reads the shared queues
        List<String> workerEnvironments = fleet.findResources("AWS::ECS::TaskDefinition").values().stream()
                .map(Object::toString).toList();
        assertThat(workerEnvironments).hasSize(2);
        assertThat(workerEnvironments).filteredOn(env -> env.contains("SPILLWAY_QUEUES_INTERACTIVE_URL"))
                .singleElement().asString().contains("deepseek-r1-distill-qwen-7b").doesNotContain(SECOND)
                .doesNotContain("SPILLWAY_MODELS_DEFAULT_QUEUES_");
        assertThat(workerEnvironments).filteredOn(env -> env.contains(SECOND)).singleElement().asString()
                .doesNotContain("SPILLWAY_QUEUES_").doesNotContain("SPILLWAY_MODELS_FLEET");
    }

    @Test
    void eachFleet_scalesOnItsOwnBacklog_withItsOwnSize() {
        fleet.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 2);
        fleet.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", 1, "MaxCapacity", 6)));
        fleet.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Match.objectLike(Map.of(
                "MinCapacity", 1, "MaxCapacity", 2)));
        for (String fleetName : List.of("shared", SECOND)) {
            fleet.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                    "Metrics", Match.arrayWith(List.of(Match.objectLike(Map.of("Id", "scheduled_interactive",
                            "MetricStat", Match.objectLike(Map.of("Metric", Map.of("Namespace", "Spillway",
                                    "MetricName", "Backlog", "Dimensions", List.of(
                                            Map.of("Name", "Fleet", "Value", fleetName),
                                            Map.of("Name", "Tier", "Value", "interactive"))))))))))));
        }
    }

    @Test
    void theSecondModel_hasTierQueuesOfItsOwn_andTheIntakeSendsItsJobsThere() {
        Template data = Template.fromStack(stacks.data());
        Template defaults = Template.fromStack(DeployedApp.stacks().data());
        assertThat(data.findResources("AWS::SQS::Queue")).hasSize(defaults.findResources("AWS::SQS::Queue").size() + 6);
        assertThat(stacks.data().queues().fleetOf(SECOND).fleet()).isEqualTo(SECOND);

        Template api = Template.fromStack(stacks.api());
        api.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "deepseek-r1-distill-qwen-7b",
                        "SPILLWAY_QUEUES_INTERACTIVE_URL", Match.anyValue(),
                        "SPILLWAY_MODELS_FLEET1_SERVED_NAME", SECOND,
                        "SPILLWAY_MODELS_FLEET1_ENGINE", "openai",
                        "SPILLWAY_MODELS_FLEET1_QUEUES_INTERACTIVE_URL", Match.anyValue(),
                        "SPILLWAY_MODELS_FLEET1_QUEUES_BATCH_DLQ_URL", Match.anyValue()))))));
    }

    @Test
    void theSecondModelsQueues_pageLikeTheSharedOnes() {
        Template observability = Template.fromStack(stacks.observability());
        for (String tier : List.of("interactive", "standard", "batch")) {
            observability.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("AlarmDescription",
                    Match.stringLikeRegexp("Messages reached the " + SECOND + " " + tier + " dead-letter queue.*"))));
            observability.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of("AlarmDescription",
                    Match.stringLikeRegexp("The oldest " + SECOND + " " + tier + " message waited.*"))));
        }
    }

    private static Object env(final String name, final Object value) {
        return Map.of("Name", name, "Value", value);
    }
}
