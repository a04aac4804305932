package dev.spillway.infra.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerImageTest {

    private static final String DOCKERFILE = "src/main/docker/Dockerfile.jvm";

    @TempDir
    Path gpuBackend;

    @Test
    void imageUri_isUsedAsIs() {
        WorkerImage image = WorkerImage.resolve("123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:1", gpuBackend,
                DOCKERFILE);

        assertThat(image.isPlaceholder()).isFalse();
    }

    @Test
    void noDockerfile_isAPlaceholderNamingTheDockerfile() {
        WorkerImage image = WorkerImage.resolve("", gpuBackend, DOCKERFILE);

        assertThat(image.isPlaceholder()).isTrue();
        assertThat(image.missing()).contains("Dockerfile.jvm");
    }

    @Test
    void dockerfileWithoutABuiltWorker_isAPlaceholderSayingHowToBuild() throws IOException {
        write(DOCKERFILE);

        WorkerImage image = WorkerImage.resolve(null, gpuBackend, DOCKERFILE);

        assertThat(image.isPlaceholder()).isTrue();
        assertThat(image.missing()).contains("target/quarkus-app/quarkus-run.jar")
                .contains("mvn -B package -pl gpu-backend -am -DskipTests");
    }

    @Test
    void dockerfileAndBuiltWorker_isADockerAsset() throws IOException {
        write(DOCKERFILE);
        write("target/quarkus-app/quarkus-run.jar");

        WorkerImage image = WorkerImage.resolve("", gpuBackend, DOCKERFILE);

        assertThat(image.isPlaceholder()).isFalse();
    }

    private void write(final String relative) throws IOException {
        Path file = gpuBackend.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
    }
}
