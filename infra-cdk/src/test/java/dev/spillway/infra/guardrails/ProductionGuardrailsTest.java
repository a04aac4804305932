package dev.spillway.infra.guardrails;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.SecretValue;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** Each guardrail fails synthesis on a resource that breaks it, and lets the compliant variant through. */
class ProductionGuardrailsTest {

    @Test
    void theWholeDeployment_keepsEveryGuardrail() {
        assertThatCode(() -> DeployedApp.stacks().all().forEach(Template::fromStack)).doesNotThrowAnyException();
    }

    @Test
    void aFunctionWithoutReservedConcurrency_failsSynthesis() {
        assertThatThrownBy(() -> synthesize(stack -> function(stack, null, Map.of())))
                .hasMessageContaining("Spillway guardrail: has no reserved concurrency");
        assertThatCode(() -> synthesize(stack -> function(stack, 5, Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void aTableWithoutDeletionProtection_failsSynthesis() {
        assertThatThrownBy(() -> synthesize(stack -> table(stack, false)))
                .hasMessageContaining("Spillway guardrail: has no deletion protection");
        assertThatCode(() -> synthesize(stack -> table(stack, true))).doesNotThrowAnyException();
    }

    @Test
    void aDataActionOnEveryResource_failsSynthesis_otherStarsDoNot() {
        assertThatThrownBy(() -> synthesize(stack -> role(stack, "s3:GetObject")))
                .hasMessageContaining("Spillway guardrail: grants s3:GetObject on every resource");
        assertThatThrownBy(() -> synthesize(stack -> role(stack, "dynamodb:*")))
                .hasMessageContaining("grants dynamodb:* on every resource");
        assertThatCode(() -> synthesize(stack -> role(stack, "xray:PutTraceSegments"))).doesNotThrowAnyException();
    }

    @Test
    void aScan_failsSynthesis_evenOnOneTable_aQueryDoesNot() {
        assertThatThrownBy(() -> synthesize(stack -> role(stack, "dynamodb:Scan", "arn:aws:dynamodb:eu-west-1:1:table/t")))
                .hasMessageContaining("Spillway guardrail: grants dynamodb:Scan: read by key or Query an index");
        assertThatCode(() -> synthesize(stack -> role(stack, "dynamodb:Query", "arn:aws:dynamodb:eu-west-1:1:table/t")))
                .doesNotThrowAnyException();
    }

    @Test
    void aSecretInAFunctionsEnvironment_failsSynthesis_itsArnDoesNot() {
        assertThatThrownBy(() -> synthesize(stack -> {
            Secret secret = Secret.Builder.create(stack, "Secret").build();
            function(stack, 5, Map.of("SIGNING", secret.getSecretValue().unsafeUnwrap()));
        })).hasMessageContaining("puts a secret into environment variable SIGNING");
        assertThatThrownBy(() -> synthesize(stack -> function(stack, 5, Map.of("UPSTREAM_API_KEY", "sk-live"))))
                .hasMessageContaining("has environment variable UPSTREAM_API_KEY, named like a secret");
        assertThatCode(() -> synthesize(stack -> {
            Secret secret = Secret.Builder.create(stack, "Secret").build();
            function(stack, 5, Map.of("SIGNING_SECRET_ARN", secret.getSecretArn()));
        })).doesNotThrowAnyException();
    }

    @Test
    void aSecretInAContainersEnvironment_failsSynthesis() {
        assertThatThrownBy(() -> synthesize(stack -> FargateTaskDefinition.Builder.create(stack, "Task").build()
                .addContainer("app", ContainerDefinitionOptions.builder()
                        .image(ContainerImage.fromRegistry("busybox"))
                        .environment(Map.of("HF_TOKEN", SecretValue.unsafePlainText("hf_x").unsafeUnwrap()))
                        .build())))
                .hasMessageContaining("has environment variable HF_TOKEN, named like a secret");
    }

    @Test
    void secretNames_areThoseThatHoldSecrets_notThoseThatPointAtThem() {
        assertThat(List.of("SPILLWAY_WEBHOOKS_SIGNING_SECRET", "DB_PASSWORD", "HF_TOKEN", "OPENAI_API_KEY"))
                .allMatch(name -> ProductionGuardrails.SECRET_NAME.matcher(name).matches());
        assertThat(List.of("SPILLWAY_WEBHOOKS_SIGNING_SECRET_ARN", "SECRET_NAME", "QUARKUS_REDIS_HOSTS",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "SPILLWAY_AUTH_KEYS_TABLE"))
                .noneMatch(name -> ProductionGuardrails.SECRET_NAME.matcher(name).matches());
    }

    private static void synthesize(final Consumer<Stack> build) {
        App app = new App();
        Stack stack = new Stack(app, "Probe");
        build.accept(stack);
        Aspects.of(app).add(new ProductionGuardrails());
        app.synth();
    }

    private static void function(final Stack stack, final Integer reserved, final Map<String, String> env) {
        Function.Builder.create(stack, "Fn")
                .runtime(Runtime.NODEJS_22_X)
                .handler("index.handler")
                .code(Code.fromInline("exports.handler = async () => 1;"))
                .reservedConcurrentExecutions(reserved)
                .environment(env)
                .build();
    }

    private static void table(final Stack stack, final boolean protectedFromDeletion) {
        Table.Builder.create(stack, "Table")
                .partitionKey(Attribute.builder().name("id").type(AttributeType.STRING).build())
                .deletionProtection(protectedFromDeletion)
                .build();
    }

    private static void role(final Stack stack, final String action) {
        role(stack, action, "*");
    }

    private static void role(final Stack stack, final String action, final String resource) {
        Role role = Role.Builder.create(stack, "Role").assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
        role.addToPolicy(PolicyStatement.Builder.create().actions(List.of(action)).resources(List.of(resource)).build());
    }
}
