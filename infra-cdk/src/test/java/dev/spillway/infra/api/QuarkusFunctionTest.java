package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.Vpc;

class QuarkusFunctionTest {

    @TempDir
    static Path artifacts;

    private static Stack nativeStack;
    private static QuarkusFunction nativeIntake;
    private static Stack missingStack;
    private static QuarkusFunction missingIntake;

    @BeforeAll
    static void synthesize() throws IOException {
        Path zip = Files.write(artifacts.resolve("function.zip"), new byte[] {'P', 'K', 5, 6});
        App app = new App();
        nativeStack = new Stack(app, "NativeIntake");
        nativeIntake = new QuarkusFunction(nativeStack, "Intake", props(nativeStack, zip, true, false)
                .webAdapter(WebAdapter.streamingIntake(WebAdapter.LAYER_VERSION)).build());
        missingStack = new Stack(app, "MissingIntake");
        missingIntake = new QuarkusFunction(missingStack, "Intake",
                props(missingStack, artifacts.resolve("absent.zip"), false, false).build());
    }

    @Test
    void nativeArtifact_runsOnProvidedAl2023WithoutSnapStart() {
        Template template = Template.fromStack(nativeStack);

        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Runtime", "provided.al2023",
                "Handler", "not.used.in.provided.runtime",
                "SnapStart", Match.absent(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of("DISABLE_SIGNAL_HANDLERS", "true"))))));
        template.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "live")));
        assertThat(nativeIntake.isPlaceholder()).isFalse();
        Annotations.fromStack(nativeStack).hasNoWarning("*", Match.stringLikeRegexp(".*PLACEHOLDER.*"));
    }

    @Test
    void nativeIntakeBehindTheWebAdapter_isItsOwnRuntime_theLayersExtensionForwardsWithoutAWrapper() {
        Template template = Template.fromStack(nativeStack);

        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Runtime", "provided.al2023",
                "Layers", List.of(ApiStackTest.webAdapterLayer(WebAdapter.LAYER_VERSION)),
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "AWS_LWA_INVOKE_MODE", "response_stream",
                        "AWS_LWA_PORT", "8080",
                        "AWS_LAMBDA_EXEC_WRAPPER", Match.absent()))))));
    }

    @Test
    void missingArtifact_synthesizesAPlaceholderAndWarns() {
        Template.fromStack(missingStack).resourceCountIs("AWS::Lambda::Function", 1);

        assertThat(missingIntake.isPlaceholder()).isTrue();
        Annotations.fromStack(missingStack).hasWarning("/MissingIntake/Intake",
                Match.stringLikeRegexp(".*absent\\.zip not found: synthesizing with a PLACEHOLDER.*"));
    }

    @Test
    void missingArtifact_failsSynthesisWhenArtifactsAreRequired() {
        Stack stack = new Stack(new App(), "RequiredIntake");
        new QuarkusFunction(stack, "Intake", props(stack, artifacts.resolve("absent.zip"), false, true).build());

        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("requireArtifacts=true but the function artifact");
    }

    private static QuarkusFunctionProps.Builder props(final Stack stack, final Path zip, final boolean nativeImage,
                                                     final boolean required) {
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        return QuarkusFunctionProps.builder()
                .vpc(vpc)
                .securityGroup(SecurityGroup.Builder.create(stack, "Sg").vpc(vpc).build())
                .environment(Map.of("SPILLWAY_JOBS_TABLE", "jobs"))
                .artifact(zip)
                .nativeImage(nativeImage)
                .requireArtifacts(required)
                .memorySizeMb(512);
    }
}
