package dev.spillway.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;

class SpillwaySettingsTest {

    @Test
    void noContext_givesTheDocumentedDefaults() {
        SpillwaySettings settings = SpillwaySettings.from(new App().getNode());

        assertThat(settings.nativeImage()).isFalse();
        assertThat(settings.requireArtifacts()).isFalse();
        assertThat(settings.functionZip()).isEqualTo(Path.of("../functions/intake/target/function.zip"));
        assertThat(settings.modelName()).isEqualTo("deepseek-r1-distill-qwen-7b");
        assertThat(settings.huggingFaceModel()).isEqualTo("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B");
        assertThat(settings.instanceType()).isEqualTo("g6.xlarge");
        assertThat(settings.maxReceiveCount()).isEqualTo(5);
        assertThat(settings.reservedConcurrency()).isNull();
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
        assertThat(settings.maxTasks()).isEqualTo(10);
        assertThat(settings.reservedConcurrency()).isEqualTo(25);
        assertThat(settings.spot()).isFalse();
    }

    @Test
    void nonNumericCount_isRejectedWithTheKeyName() {
        App app = App.Builder.create().context(Map.of("maxTasks", "many")).build();

        assertThatThrownBy(() -> SpillwaySettings.from(app.getNode()))
                .hasMessageContaining("'maxTasks' must be an integer");
    }
}
