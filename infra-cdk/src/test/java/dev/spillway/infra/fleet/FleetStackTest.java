package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.IamMatchers;
import dev.spillway.infra.Policies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class FleetStackTest {

    private static FleetStack stack;
    private static Template template;

    @BeforeAll
    static void synthesize() {
        stack = DeployedApp.stacks().fleet();
        template = DeployedApp.template(stack);
    }

    @Test
    void gpuInstances_startAtZeroFromTheAl2023EcsGpuAmi_withRoomForARollingDeploy() {
        template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MinSize", "0",
                // maxTasks 6 + one instance of headroom, so a deploy at full size can start a new task first
                "MaxSize", "7",
                "NewInstancesProtectedFromScaleIn", true)));
        template.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of(
                        "InstanceType", "g6.xlarge",
                        "ImageId", Map.of("Ref", Match.stringLikeRegexp(".*amazonlinux2023gpu.*")),
                        "BlockDeviceMappings", List.of(Match.objectLike(Map.of(
                                "Ebs", Match.objectLike(Map.of("Encrypted", true, "VolumeType", "gp3"))))))))));
    }

    @Test
    void tasks_cannotBorrowTheInstanceRole_throughTheMetadataService() {
        template.hasResourceProperties("AWS::EC2::LaunchTemplate", Match.objectLike(Map.of(
                "LaunchTemplateData", Match.objectLike(Map.of(
                        "MetadataOptions", Map.of("HttpTokens", "required", "HttpPutResponseHopLimit", 1),
                        "UserData", Map.of("Fn::Base64", Match.objectLike(Map.of("Fn::Join", List.of("",
                                Match.arrayWith(List.of(Match.stringLikeRegexp(
                                        "[\\s\\S]*echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config[\\s\\S]*"))))))))))));
    }

    @Test
    void gpuInstances_fallBackToAnotherTypeWhenTheFirstHasNoCapacity() {
        template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MixedInstancesPolicy", Match.objectLike(Map.of(
                        "LaunchTemplate", Match.objectLike(Map.of("Overrides", List.of(
                                Map.of("InstanceType", "g6.xlarge"), Map.of("InstanceType", "g5.xlarge")))),
                        "InstancesDistribution", Match.objectLike(Map.of(
                                "OnDemandAllocationStrategy", "prioritized",
                                "OnDemandPercentageAboveBaseCapacity", 100)))))));
    }

    @Test
    void capacityProvider_managesScalingTerminationProtectionAndDraining() {
        template.hasResourceProperties("AWS::ECS::CapacityProvider", Match.objectLike(Map.of(
                "AutoScalingGroupProvider", Match.objectLike(Map.of(
                        "ManagedScaling", Match.objectLike(Map.of("Status", "ENABLED", "TargetCapacity", 100)),
                        "ManagedTerminationProtection", "ENABLED",
                        "ManagedDraining", "ENABLED")))));
        template.hasResourceProperties("AWS::ECS::Cluster", Match.objectLike(Map.of(
                "ClusterSettings", List.of(Map.of("Name", "containerInsights", "Value", "enabled")))));
    }

    @Test
    void vllm_servesTheModelOnOneGpuWithAHealthCheck() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "NetworkMode", "awsvpc",
                "RequiresCompatibilities", List.of("EC2"),
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "vllm",
                        // no Docker Hub credentials given: pulled as named, with a warning
                        "Image", "vllm/vllm-openai:v0.11.0",
                        "ResourceRequirements", List.of(Map.of("Type", "GPU", "Value", "1")),
                        "Command", Match.arrayWith(List.of("--model", "/models/deepseek-r1-distill-qwen-7b",
                                "--served-model-name", "deepseek-r1-distill-qwen-7b", "--host", "0.0.0.0",
                                "--port", "8000")),
                        "PortMappings", List.of(Match.objectLike(Map.of("ContainerPort", 8000))),
                        "HealthCheck", Match.objectLike(Map.of(
                                "Command", List.of("CMD-SHELL", Match.stringLikeRegexp(".*:8000/health.*")),
                                "StartPeriod", 300)))))))));
    }

    @Test
    void weights_comeFromTheModelsBucketThroughTheGatewayEndpoint_beforeVllmStarts_neverFromHuggingFace() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Name", "weights",
                                "Essential", false,
                                "Image", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                        Match.stringLikeRegexp(".*/spillway-ecr-public/aws-cli/aws-cli:2.22.0"))))),
                                "Command", Match.arrayWith(List.of("s3", "sync",
                                        "/models/deepseek-r1-distill-qwen-7b/")),
                                "Environment", Match.arrayWith(List.of(env("AWS_REGION", Match.anyValue()))))),
                        Match.objectLike(Map.of(
                                "Name", "vllm",
                                "DependsOn", List.of(Map.of("Condition", "SUCCESS", "ContainerName", "weights")),
                                "Environment", Match.arrayWith(List.of(env("HF_HUB_OFFLINE", "1"))),
                                "MountPoints", Match.arrayWith(List.of(Match.objectLike(Map.of(
                                        "ContainerPath", "/models", "ReadOnly", true)))))))))));
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "spillway-ecr-public",
                "UpstreamRegistry", "ecr-public",
                "UpstreamRegistryUrl", "public.ecr.aws"));
        assertThat(Policies.actionsOf(template, "TaskTaskRole", "Models"))
                .containsExactlyInAnyOrder("s3:GetObject", "s3:ListBucket");
        assertThat(Policies.resourcesOf(template, "TaskTaskRole", "s3:GetObject")).singleElement().asString()
                .contains("/deepseek-r1-distill-qwen-7b/*");
    }

    @Test
    void vllmFromDockerHub_withoutCredentialsForTheCache_isWarnedAbout() {
        Annotations.fromStack(stack).hasWarning("/SpillwayFleet/Task/Images",
                Match.stringLikeRegexp(".*vllm/vllm-openai:v0.11.0 is pulled from Docker Hub through the NAT.*"));
    }

    @Test
    void worker_waitsForHealthyVllmAndDrainsFor120Seconds() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "worker",
                        "DependsOn", List.of(Map.of("Condition", "HEALTHY", "ContainerName", "vllm")),
                        "StopTimeout", 120,
                        "HealthCheck", Match.objectLike(Map.of("Command", List.of("CMD-SHELL",
                                Match.stringLikeRegexp(".*:8080/q/health/live.*")))),
                        "Environment", Match.arrayWith(List.of(
                                env("SPILLWAY_JOBS_TABLE", Match.anyValue()),
                                env("SPILLWAY_QUEUES_INTERACTIVE_URL", Match.anyValue()),
                                env("SPILLWAY_QUEUES_BATCH_DLQ_URL", Match.anyValue()),
                                env("QUARKUS_REDIS_HOSTS", Match.anyValue()),
                                env("SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "deepseek-r1-distill-qwen-7b"),
                                env("SPILLWAY_MODELS_DEFAULT_ENGINE", "openai"),
                                env("SPILLWAY_MODELS_DEFAULT_BASE_URL", "http://127.0.0.1:8000/v1"),
                                env("SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL", "deepseek-r1-distill-qwen-7b"),
                                env("SPILLWAY_WORKER_CONCURRENCY", "8"),
                                env("SPILLWAY_WORKER_SCALE_IN_PROTECTION", "true"),
                                env("AWS_REGION", Map.of("Ref", "AWS::Region")))))))))));
    }

    @Test
    void worker_mayProtectItsOwnTaskFromScaleIn_inThisClusterOnly() {
        assertThat(Policies.resourcesOf(template, "TaskTaskRole", "ecs:UpdateTaskProtection")).singleElement()
                .asString().contains(":task/", "GpuCluster");
        assertThat(Policies.actionsOf(template, "TaskTaskRole", ":task/"))
                .containsExactlyInAnyOrder("ecs:UpdateTaskProtection", "ecs:GetTaskProtection");
    }

    @Test
    void worker_asksVllmForTheNameVllmServesUnder() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Name", "vllm",
                                "Command", Match.arrayWith(List.of("--served-model-name",
                                        "deepseek-r1-distill-qwen-7b")))),
                        Match.objectLike(Map.of(
                                "Name", "worker",
                                "Environment", Match.arrayWith(List.of(
                                        env("SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL", "deepseek-r1-distill-qwen-7b"))))))))));
    }

    @Test
    void worker_getsNoIntakeOnlyTablesNorAccessToThem() {
        String fleet = String.valueOf(template.toJSON());
        assertThat(fleet).doesNotContain("IdempotencyTable", "ApiKeysTable", "SPILLWAY_JOBS_IDEMPOTENCY_TABLE",
                "SPILLWAY_AUTH_KEYS_TABLE", "SPILLWAY_BATCHES_TABLE",
                // the shared nag suppression names BatchesTable in a pattern; what must be absent are its exports
                "RefBatchesTable", "FnGetAttBatchesTable");
    }

    @Test
    void service_leavesItsCountToAutoscaling_onTheGpuCapacityProvider() {
        // a stack update must never reset a running fleet, so the template says nothing of the count
        template.hasResourceProperties("AWS::ECS::Service", Match.objectLike(Map.of(
                "DesiredCount", Match.absent(),
                "DeploymentConfiguration", Match.objectLike(Map.of(
                        "MinimumHealthyPercent", 100, "MaximumPercent", 200)),
                "CapacityProviderStrategy", List.of(Match.objectLike(Map.of("Weight", 1))),
                "NetworkConfiguration", Match.objectLike(Map.of("AwsvpcConfiguration", Match.objectLike(Map.of(
                        "AssignPublicIp", "DISABLED",
                        "SecurityGroups", List.of(Map.of("Fn::ImportValue",
                                Match.stringLikeRegexp(".*FleetSecurityGroup.*"))))))))));
    }

    @Test
    void worker_consumesQueuesAndDlqsAndTransitionsJobs() {
        for (String queue : List.of("Interactive", "InteractiveDlq", "Standard", "StandardDlq", "Batch",
                "BatchDlq")) {
            template.hasResourceProperties("AWS::IAM::Policy", taskRoleStatement(
                    List.of("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"),
                    Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*GetAttQueues" + queue + "[0-9A-F]{8}Arn.*"))));
        }
        // claims, heartbeats, results, releases and dead-letter failures: conditional updates of jobs read by id
        assertThat(Policies.actionsOf(template, "TaskTaskRole", "JobsTable"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:UpdateItem");
        assertThat(String.join("\n", Policies.of(template, "TaskTaskRole"))).doesNotContain("Payloads");
    }

    @Test
    void noSqsOrDynamoDbStatement_targetsEveryResource() {
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("sqs:.*")))
                .isEmpty();
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("dynamodb:.*")))
                .isEmpty();
        // the matcher does see a "*" resource where there is one: the ECS agent's account-wide actions
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("ecs:Poll")))
                .hasSize(1);
    }

    @Test
    void missingWorkerImage_isAPlaceholderThatWarns() {
        Annotations.fromStack(stack).hasWarning("/SpillwayFleet",
                Match.stringLikeRegexp(".*unpullable PLACEHOLDER spillway/worker-not-built:placeholder.*"));
    }

    private static Object env(final String name, final Object value) {
        return Map.of("Name", name, "Value", value);
    }

    private static Object taskRoleStatement(final List<String> actions, final Object resource) {
        return Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("TaskTaskRole.*"))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", Match.arrayWith(List.copyOf(actions)),
                        "Resource", Match.arrayWith(List.of(resource))))))))));
    }
}
