package dev.spillway.nativebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A native Lambda function, as far as it can be checked without a GraalVM/Mandrel builder: Quarkus runs every
 * build step of the native package and the metadata it hands to {@code native-image} registers everything
 * Spillway (de)serializes. The image itself is built by {@code native-build/build.sh}. One subclass per function.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NativeFunctionCheck {

    private final String moduleDirectory;
    private final String artifactId;
    private Path functionsModule;
    private NativePreparation.Outcome outcome;

    /**
     * @param moduleDirectory the function's module, relative to the repository root
     * @param artifactId      its Maven artifact id (the native build names its output after it)
     */
    NativeFunctionCheck(String moduleDirectory, String artifactId) {
        this.moduleDirectory = moduleDirectory;
        this.artifactId = artifactId;
    }

    @BeforeAll
    void prepareTheNativeBuild() {
        Path root = Path.of(System.getProperty("spillway.root", "..")).toAbsolutePath().normalize();
        functionsModule = root.resolve(moduleDirectory);
        outcome = NativePreparation.run(functionsModule,
                artifactId + "-" + System.getProperty("spillway.version", "0.1.0-SNAPSHOT"),
                Path.of(System.getProperty("spillway.native.preparation-dir", "target/native-preparation"))
                        .resolve(artifactId),
                Path.of(System.getProperty("spillway.native.no-runtime-path", "target/no-container-runtime")));
    }

    @Test
    void nativePreparation_runsEveryBuildStepUpToTheImage_andWritesTheSourceJar() {
        // GIVEN the functions built with the native package and no builder allowed
        // THEN the only failure is the image step itself, and its input is complete
        outcome.failure().ifPresent(failure -> assertThat(outcome.stoppedAtTheImageStep())
                .as("the build failed before reaching %s:%n%s", NativePreparation.LAST_STEP,
                        NativePreparation.messages(failure))
                .isTrue());
        assertThat(outcome.sourceJarDir()).as("native-image source jar directory").isPresent();
        assertThat(runnerJar()).isRegularFile();
        assertThat(libJars()).as("lib/ of the native-image source jar").isNotEmpty();
    }

    @Test
    void everyClassSpillwaySerializes_isRegisteredForReflection() {
        // GIVEN the classes Spillway sends or reads as JSON, derived from its own bytecode in the image
        Map<String, String> required = SerializedTypes.requiredIn(spillwayCode());
        assertThat(required).as("derived DTOs (an empty set would make this check vacuous)").isNotEmpty();
        System.out.println("Classes Spillway serializes (derived):");
        required.forEach((className, why) -> System.out.println("  " + className + "  <- " + why));

        // WHEN reading what Quarkus registered for the native image
        ReflectionMetadata metadata = ReflectionMetadata.of(runnerJar());
        assertThat(metadata.files()).as("reflection metadata files in the runner jar").isNotEmpty();

        // THEN each of them is registered with its constructors, methods and fields
        List<String> missing = new ArrayList<>();
        required.forEach((className, why) -> {
            List<ReflectionMetadata.Member> members = metadata.missing(className);
            if (!members.isEmpty()) {
                missing.add(className + " (" + why + "): " + (metadata.registers(className)
                        ? "registered without " + members : "not registered"));
            }
        });
        if (!missing.isEmpty()) {
            fail("%d class(es) Spillway serializes are not registered for reflection in %s; add "
                    + "@RegisterForReflection to them:%n  %s", missing.size(), metadata.files(),
                    String.join("\n  ", missing));
        }
    }

    @Test
    void awsClients_useTheUrlConnectionHttpClient() {
        // GIVEN the libraries and the metadata of the native image
        List<String> libs = libJars().stream().map(p -> p.getFileName().toString()).toList();
        ReflectionMetadata metadata = ReflectionMetadata.of(runnerJar());

        // THEN only the URL-connection client is in, and the SDK can find it by ServiceLoader in the image
        assertThat(libs).anyMatch(name -> name.contains("software.amazon.awssdk.url-connection-client-"));
        assertThat(libs).noneMatch(name -> name.contains("software.amazon.awssdk.apache-client-")
                || name.contains("software.amazon.awssdk.netty-nio-client-"));
        assertThat(metadata.registers("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService"))
                .isTrue();
    }

    /** Spillway's own code in the image: the functions' classes and every dev.spillway library in lib/. */
    private List<Path> spillwayCode() {
        List<Path> code = new ArrayList<>();
        code.add(functionsModule.resolve("target/classes"));
        code.addAll(libJars().stream()
                .filter(p -> p.getFileName().toString().matches("(modified-)?dev\\.spillway\\..*\\.jar"))
                .toList());
        assertThat(code).as("Spillway libraries in the native image").hasSizeGreaterThan(1);
        return code;
    }

    private Path runnerJar() {
        Path dir = outcome.sourceJarDir().orElseThrow(() -> new AssertionError(
                "no native-image source jar was written" + outcome.failure()
                        .map(f -> "; the build failed:\n" + NativePreparation.messages(f)).orElse("")));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no *-runner.jar in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Path> libJars() {
        Path lib = runnerJar().resolveSibling("lib");
        try (Stream<Path> files = Files.list(lib)) {
            return files.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
