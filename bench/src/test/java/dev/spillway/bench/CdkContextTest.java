package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdkContextTest {

    @Test
    void cdkJsonContext_withCommandLineOverrides_givesTheSettingsTheCdkAppWouldSynthesize(@TempDir Path dir)
            throws IOException {
        Path cdkJson = dir.resolve("cdk.json");
        Files.writeString(cdkJson, """
                {"app": "mvn -e -q compile exec:java",
                 "context": {"maxTasks": 6, "acceptableLatencySeconds": 120, "meanProcessingSeconds": 6,
                             "modelName": "deepseek-chat"}}
                """);

        Map<String, Object> context = CdkContext.read(cdkJson, Map.of("maxTasks", "8"));
        CapacitySettings settings = CapacitySettings.fromContext(context::get);

        assertThat(settings.maxTasks()).isEqualTo(8);
        assertThat(settings.targetBacklogPerTask()).isEqualTo(20.0);
        assertThat(context).containsEntry("modelName", "deepseek-chat");
    }

    @Test
    void repositoryCdkJson_isReadable() throws IOException {
        Path repo = Path.of(System.getProperty("spillway.repo-dir", "..")).toAbsolutePath();

        Map<String, Object> context = CdkContext.read(repo.resolve("infra-cdk/cdk.json"), Map.of());

        assertThat(CapacitySettings.fromContext(context::get).problems()).isEmpty();
        assertThat(context).containsKey("maxTasks");
    }
}
