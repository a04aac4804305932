package dev.spillway.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.spillway.capacity.CapacitySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;

class SpillwaySettingsTest {

    @Test
    void noContext_givesTheDocumentedDefaults() {
        SpillwaySettings settings = SpillwaySettings.from(new App().getNode());

        assertThat(settings.nativeImage()).isFalse();
        assertThat(settings.requireArtifacts()).isFalse();
        assertThat(settings.functionZip()).isEqualTo(Path.of("../functions/intake-lambda/target/function.zip"));
        assertThat(settings.modelName()).isEqualTo("deepseek-r1-distill-qwen-7b");
        assertThat(settings.huggingFaceModel()).isEqualTo("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B");
        assertThat(settings.capacity()).isEqualTo(CapacitySettings.defaults());
        assertThat(settings.capacity().instanceType()).isEqualTo("g6.xlarge");
        assertThat(settings.maxReceiveCount()).isEqualTo(5);
        assertThat(settings.capacity().reservedConcurrency()).isEqualTo(700);
        assertThat(settings.maxWaitSec()).isEqualTo(20);
        assertThat(settings.maxStreamSec()).isEqualTo(120);
        assertThat(settings.webAdapterLayerVersion()).isEqualTo(27);
        assertThat(settings.timeouts().validate()).isEmpty();
        assertThat(settings.tracing()).isTrue();
        assertThat(settings.fallbackInstanceTypes()).containsExactly("g5.xlarge");
        assertThat(settings.interfaceEndpoints()).isTrue();
        assertThat(settings.weightsFromS3()).isTrue();
        assertThat(settings.concurrency().validate()).isEmpty();
    }

    @Test
    void listContext_isCommaSeparatedOnTheCommandLine() {
        assertThat(settingsFor(Map.of("fallbackInstanceTypes", "g5.xlarge, g6e.xlarge")).fallbackInstanceTypes())
                .containsExactly("g5.xlarge", "g6e.xlarge");
        assertThat(settingsFor(Map.of("fallbackInstanceTypes", "")).fallbackInstanceTypes()).isEmpty();
    }

    @Test
    void cliContext_arrivesAsStringsAndIsParsed() {
        App app = App.Builder.create().context(Map.of(
                "native", "true", "requireArtifacts", "TRUE", "functionZip", "/tmp/f.zip",
                "maxTasks", "10", "reservedConcurrency", "25", "spot", "false")).build();

        SpillwaySettings settings = SpillwaySettings.from(app.getNode());

        assertThat(settings.nativeImage()).isTrue();
        assertThat(settings.requireArtifacts()).isTrue();
        assertThat(settings.functionZip()).isEqualTo(Path.of("/tmp/f.zip"));
        assertThat(settings.capacity().maxTasks()).isEqualTo(10);
        assertThat(settings.capacity().reservedConcurrency()).isEqualTo(25);
        assertThat(settings.spot()).isFalse();
    }

    @Test
    void withoutNativeContext_aFunctionZipHoldingBootstrapIsDeployedNative(@TempDir final Path dir) throws IOException {
        Path nativeZip = zip(dir.resolve("native.zip"), "bootstrap");
        Path jvmZip = zip(dir.resolve("jvm.zip"), "lib/app.jar");

        assertThat(settingsFor(Map.of("functionZip", nativeZip.toString())).nativeImage()).isTrue();
        assertThat(settingsFor(Map.of("functionZip", jvmZip.toString())).nativeImage()).isFalse();
        assertThat(settingsFor(Map.of("functionZip", nativeZip.toString(), "native", "false")).nativeImage())
                .as("an explicit context value wins").isFalse();
    }

    private static SpillwaySettings settingsFor(final Map<String, Object> context) {
        return SpillwaySettings.from(App.Builder.create().context(context).build().getNode());
    }

    private static Path zip(final Path file, final String entry) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            out.putNextEntry(new ZipEntry(entry));
            out.write(new byte[] {1, 2, 3});
            out.closeEntry();
        }
        return file;
    }

    @Test
    void nonNumericCount_isRejectedWithTheKeyName() {
        App app = App.Builder.create().context(Map.of("maxTasks", "many")).build();

        assertThatThrownBy(() -> SpillwaySettings.from(app.getNode()))
                .hasMessageContaining("'maxTasks' must be an integer");
    }
}
