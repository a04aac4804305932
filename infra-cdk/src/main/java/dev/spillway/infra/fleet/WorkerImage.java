package dev.spillway.infra.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import software.amazon.awscdk.services.ecs.AssetImageProps;
import software.amazon.awscdk.services.ecs.ContainerImage;

/**
 * The gpu-backend worker image: an image URI when one is given, else the gpu-backend folder built as a Docker
 * asset at deploy time, else (nothing built yet) a placeholder reference that cannot be pulled.
 *
 * <p>The Dockerfile ({@code src/main/docker/Dockerfile.jvm}, a Quarkus JVM image) only copies
 * {@code target/quarkus-app/} into the image, so the folder is an asset only once
 * {@code mvn -B package -pl gpu-backend -am -DskipTests} has produced it; a Dockerfile without that build
 * would synthesize fine and then fail {@code docker build} in the middle of a deployment.
 *
 * @param image   what the task definition runs
 * @param missing why the image is a placeholder, or {@code null} when it is real
 */
public record WorkerImage(ContainerImage image, String missing) {

    public static final String PLACEHOLDER = "spillway/worker-not-built:placeholder";
    /** What the Quarkus build leaves in the build context and the Dockerfile copies (its launcher). */
    public static final String BUILT_APP = "target/quarkus-app/quarkus-run.jar";
    public static final String BUILD_COMMAND = "mvn -B package -pl gpu-backend -am -DskipTests";

    public static WorkerImage of(final ContainerImage image) {
        return new WorkerImage(image, null);
    }

    public static WorkerImage resolve(final String imageUri, final Path context, final String dockerfile) {
        if (imageUri != null && !imageUri.isBlank()) {
            return of(ContainerImage.fromRegistry(imageUri));
        }
        Path file = context.resolve(dockerfile);
        if (!Files.isRegularFile(file)) {
            return placeholder("no 'workerImage' context and no " + file.toAbsolutePath().normalize());
        }
        Path built = context.resolve(BUILT_APP);
        if (!Files.isRegularFile(built)) {
            return placeholder("no 'workerImage' context and the worker is not built (no "
                    + built.toAbsolutePath().normalize() + "; run " + BUILD_COMMAND + ")");
        }
        return of(ContainerImage.fromAsset(context.toString(), AssetImageProps.builder()
                .file(dockerfile)
                // Only target/quarkus-app/ and the Dockerfile reach the image; the rest would just churn the hash.
                .exclude(List.of("src/test", "target/surefire*", "target/test-classes", "target/classes",
                        "target/generated-*", "target/maven-*"))
                .build()));
    }

    private static WorkerImage placeholder(final String why) {
        return new WorkerImage(ContainerImage.fromRegistry(PLACEHOLDER), why);
    }

    public boolean isPlaceholder() {
        return missing != null;
    }
}
