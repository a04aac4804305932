package dev.spillway.nativebuild;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import io.quarkus.bootstrap.app.CuratedApplication;
import io.quarkus.bootstrap.app.QuarkusBootstrap;

/**
 * Runs the Quarkus production build of the functions module with the native package, in this JVM, the way
 * {@code quarkus-maven-plugin:build} runs it: every build step (CDI, REST, Jackson, the AWS and Redis
 * extensions, the Lambda packaging) runs and writes {@code <name>-native-image-source-jar/}, the input of
 * {@code native-image}.
 *
 * <p>The last step, the image itself, is stopped on purpose: the build is told to use a builder container, and
 * the pom runs this test with a {@code PATH} whose only {@code docker} is a stub of a CLI whose daemon is
 * down, so the build fails at {@code NativeImageBuildStep#build} on every machine within seconds, instead of spending minutes compiling an image in CI where a builder happens to exist
 * ({@code build.sh} builds the image). Without any container CLI, Quarkus would stop one step earlier, before
 * writing the source jar.
 */
final class NativePreparation {

    /** A docker CLI whose daemon is down: it answers {@code --version} (how Quarkus finds it), fails the rest. */
    private static final String DOCKER_WITHOUT_DAEMON = """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "Docker version 0.0.0 (spillway native-build check stub)"; exit 0; fi
            echo "spillway native-build check: no container daemon, on purpose" >&2
            exit 1
            """;
    static final String LAST_STEP = "io.quarkus.deployment.pkg.steps.NativeImageBuildStep#build";

    /**
     * @param sourceJarDir the {@code -native-image-source-jar} directory, if the build wrote one
     * @param failure what stopped the build, if anything did
     */
    record Outcome(Optional<Path> sourceJarDir, Optional<Throwable> failure) {

        /** The build ran every step and failed only at the native-image step itself. */
        boolean stoppedAtTheImageStep() {
            return failure.map(NativePreparation::messages).filter(m -> m.contains(LAST_STEP)).isPresent();
        }
    }

    private NativePreparation() {
    }

    static Outcome run(Path functionsModule, String finalName, Path targetDirectory, Path noRuntimePath) {
        Path classes = functionsModule.resolve("target/classes");
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException(classes + " does not exist: build the functions module first "
                    + "(mvn -B verify from the repository root does).");
        }
        deleteRecursively(targetDirectory);
        try {
            Files.createDirectories(targetDirectory); // the Lambda extension writes its scripts there first
            Path docker = Files.createDirectories(noRuntimePath).resolve("docker");
            Files.writeString(docker, DOCKER_WITHOUT_DAEMON);
            docker.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Properties build = new Properties();
        build.setProperty("quarkus.native.enabled", "true");
        build.setProperty("quarkus.package.jar.enabled", "false");
        build.setProperty("quarkus.native.container-build", "true");

        Throwable failure = null;
        try (CuratedApplication app = QuarkusBootstrap.builder()
                .setApplicationRoot(classes)
                .setProjectRoot(functionsModule)
                .setLocalProjectDiscovery(true)
                .setIsolateDeployment(true)
                .setMode(QuarkusBootstrap.Mode.PROD)
                .setTargetDirectory(targetDirectory)
                .setBaseName(finalName)
                .setBuildSystemProperties(build)
                .build()
                .bootstrap()) {
            app.createAugmentor().createProductionApplication();
        } catch (Exception | LinkageError e) {
            failure = e;
        }
        Path sourceJar = targetDirectory.resolve(finalName + "-native-image-source-jar");
        return new Outcome(Files.isDirectory(sourceJar) ? Optional.of(sourceJar) : Optional.empty(),
                Optional.ofNullable(failure));
    }

    /** Every message in a cause chain, suppressed exceptions included (Quarkus reports step failures there). */
    static String messages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        Throwable t = failure;
        while (t != null) {
            text.append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                text.append(messages(suppressed));
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return text.toString();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
