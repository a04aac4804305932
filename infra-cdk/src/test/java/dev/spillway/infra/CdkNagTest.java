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
        App app = SpillwayApp.newApp(Map.of("native", "true", "spot", "true", "tracing", "true",
                "reservedConcurrency", "50", "alarmEmail", "oncall@example.com"));
        SpillwayApp.Stacks stacks = SpillwayApp.assemble(app);
        Aspects.of(app).add(new AwsSolutionsChecks());

        CloudAssembly assembly = app.synth();

        assertThat(assembly.getStacks()).hasSize(6);
        for (Stack stack : List.of(stacks.api(), stacks.fleet(), stacks.observability())) {
            assertThat(findings(stack)).as("cdk-nag errors in %s", stack.getStackName()).isEmpty();
        }
    }

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
