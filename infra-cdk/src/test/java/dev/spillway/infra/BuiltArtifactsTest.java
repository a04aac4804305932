package dev.spillway.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The app as a deployment synthesizes it ({@code requireArtifacts=true}, as {@code cdk.json} sets): with a
 * built function and worker, and with a worker that was not built.
 */
class BuiltArtifactsTest {

    private static final String MODEL = "acme-chat-large";

    @TempDir
    static Path work;

    private static SpillwayApp.Stacks stacks;

    @BeforeAll
    static void synthesize() throws IOException {
        Path gpuBackend = work.resolve("gpu-backend");
        write(gpuBackend.resolve("src/main/docker/Dockerfile.jvm"), "FROM scratch\n");
        write(gpuBackend.resolve("target/quarkus-app/quarkus-run.jar"), "PK");
        App app = SpillwayApp.newApp(Map.of(
                "requireArtifacts", "true",
                "functionZip", write(work.resolve("function.zip"), "PK").toString(),
                "eventsFunctionZip", write(work.resolve("events-function.zip"), "PK").toString(),
                "workerContext", gpuBackend.toString(),
                "modelName", MODEL));
        stacks = SpillwayApp.assemble(app);
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }

    @Test
    void builtWorker_isADockerAssetWithoutPlaceholderWarnings() {
        Template.fromStack(stacks.fleet()).hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "worker",
                        "Image", Map.of("Fn::Sub", Match.stringLikeRegexp(".*container-assets.*")))))))));
        for (Stack stack : List.of(stacks.api(), stacks.fleet())) {
            Annotations.fromStack(stack).hasNoWarning("*", Match.stringLikeRegexp(".*PLACEHOLDER.*"));
        }
    }

    @Test
    void builtWorker_passesCdkNag() {
        for (Stack stack : stacks.all()) {
            assertThat(CdkNagTest.findings(stack)).as("cdk-nag errors in %s", stack.getStackName()).isEmpty();
        }
    }

    @Test
    void modelName_isWhatTheIntakeAdmitsTheWorkerServesAndVllmServesUnder() {
        Template.fromStack(stacks.api()).hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", MODEL))))));
        Template.fromStack(stacks.fleet()).hasResourceProperties("AWS::ECS::TaskDefinition", Match.objectLike(Map.of(
                "ContainerDefinitions", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Name", "vllm",
                                "Command", Match.arrayWith(List.of("--served-model-name", MODEL)))),
                        Match.objectLike(Map.of(
                                "Name", "worker",
                                "Environment", Match.arrayWith(List.of(
                                        Map.of("Name", "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "Value", MODEL),
                                        Map.of("Name", "SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL", "Value", MODEL))))))))));
    }

    @Test
    void unbuiltWorker_failsSynthesisWhenArtifactsAreRequired() throws IOException {
        Path unbuilt = work.resolve("unbuilt-gpu-backend");
        write(unbuilt.resolve("src/main/docker/Dockerfile.jvm"), "FROM scratch\n");
        App app = SpillwayApp.newApp(Map.of(
                "requireArtifacts", "true",
                "functionZip", work.resolve("function.zip").toString(),
                "eventsFunctionZip", work.resolve("events-function.zip").toString(),
                "workerContext", unbuilt.toString()));
        SpillwayApp.assemble(app);

        assertThatThrownBy(app::synth)
                .hasMessageContaining("requireArtifacts=true but there is no worker image")
                .hasMessageContaining("mvn -B package -pl gpu-backend -am -DskipTests")
                .hasMessageNotContaining("function artifact");
    }

    private static Path write(final Path file, final String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
