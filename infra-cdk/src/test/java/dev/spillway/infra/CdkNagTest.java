package dev.spillway.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/** Every stack passes cdk-nag's AwsSolutions pack: findings are either fixed or suppressed with a reason. */
class CdkNagTest {

    @Test
    void defaultApp_hasNoUnsuppressedAwsSolutionsErrors() {
        SpillwayApp.Stacks stacks = DeployedApp.stacks();

        for (Stack stack : stacks.all()) {
            assertThat(findings(stack)).as("cdk-nag errors in %s", stack.getStackName()).isEmpty();
        }
    }

    /** Each unsuppressed AwsSolutions error as "path: message", so a failure says what to fix. */
    static List<String> findings(final Stack stack) {
        return Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*")).stream()
                .map(message -> message.getId() + ": " + message.getEntry().getData())
                .toList();
    }

    @Test
    void nativeSpotVariant_hasNoUnsuppressedAwsSolutionsErrorsEither() {
        App app = SpillwayApp.newApp(Map.ofEntries(Map.entry("native", "true"), Map.entry("spot", "true"), Map.entry("batchSpotMaxTasks", "3"),
                Map.entry("tracing", "false"), Map.entry("reservedConcurrency", "700"),
                Map.entry("apiThrottleRate", "10"), Map.entry("maxStreamSeconds", "60"), Map.entry("natPerAz", "true"),
                Map.entry("domainName", "api.example.com"), Map.entry("certificateArn", CERTIFICATE),
                Map.entry("dockerHubSecretArn", DOCKER_HUB_SECRET), Map.entry("weightsFromS3", "false"),
                Map.entry("alarmEmail", "oncall@example.com")));
        SpillwayApp.Stacks stacks = SpillwayApp.assemble(app);
        Aspects.of(app).add(new AwsSolutionsChecks());

        CloudAssembly assembly = app.synth();

        assertThat(assembly.getStacks()).hasSize(6);
        for (Stack stack : List.of(stacks.network(), stacks.api(), stacks.fleet(), stacks.observability())) {
            assertThat(findings(stack)).as("cdk-nag errors in %s", stack.getStackName()).isEmpty();
        }
        // the options took effect
        Template.fromStack(stacks.network()).resourceCountIs("AWS::EC2::NatGateway", 2);
        Template api = Template.fromStack(stacks.api());
        api.hasResourceProperties("AWS::ApiGateway::DomainName", Match.objectLike(Map.of(
                "DomainName", "api.example.com",
                "RegionalCertificateArn", CERTIFICATE,
                "SecurityPolicy", "TLS_1_2")));
        api.hasResourceProperties("AWS::ApiGateway::RestApi", Match.objectLike(Map.of(
                "DisableExecuteApiEndpoint", true)));
        api.hasResourceProperties("AWS::ApiGateway::Stage", Match.objectLike(Map.of(
                "MethodSettings", List.of(Match.objectLike(Map.of("ThrottlingRateLimit", 10))))));
        api.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "ReservedConcurrentExecutions", 700, "Runtime", "provided.al2023", "Timeout", 60,
                "Layers", Match.anyValue(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "AWS_LWA_INVOKE_MODE", "response_stream", "AWS_LAMBDA_EXEC_WRAPPER", Match.absent()))))));
        api.hasResourceProperties("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "Integration", Match.objectLike(Map.of("TimeoutInMillis", 60_000, "ResponseTransferMode", "STREAM")))));
        Template fleet = Template.fromStack(stacks.fleet());
        fleet.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "spillway-docker-hub",
                "UpstreamRegistry", "docker-hub",
                "UpstreamRegistryUrl", "registry-1.docker.io",
                "CredentialArn", DOCKER_HUB_SECRET));
        fleet.hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "vllm",
                        "Image", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                Match.stringLikeRegexp(".*/spillway-docker-hub/vllm/vllm-openai:v0.11.0"))))),
                        "Command", Match.arrayWith(List.of("--model", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")))))))));
        fleet.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Match.objectLike(Map.of(
                "MixedInstancesPolicy", Match.objectLike(Map.of("InstancesDistribution", Match.objectLike(Map.of(
                        "OnDemandBaseCapacity", 1,
                        "OnDemandPercentageAboveBaseCapacity", 0,
                        "SpotAllocationStrategy", "price-capacity-optimized")))))));
    }

    private static final String CERTIFICATE =
            "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";
    private static final String DOCKER_HUB_SECRET =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";

    @Test
    void nagFinding_wouldBeReported() {
        // GIVEN a stack with a queue that has neither a DLQ nor TLS enforcement
        App app = new App();
        Stack stack = new Stack(app, "Careless");
        software.amazon.awscdk.services.sqs.Queue.Builder.create(stack, "Bare").build();
        Aspects.of(app).add(new AwsSolutionsChecks());

        // THEN the same query the tests above rely on finds the errors
        assertThat(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-SQS.*")))
                .isNotEmpty();
    }
}
