package dev.spillway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The model catalogue as deployments set it: through environment variables only (the CDK app does). */
class ModelsConfigTest {

    @Test
    void environmentVariables_defineAModelServedUnderItsOwnName() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "SPILLWAY_MODELS_DEFAULT_ENGINE", "openai",
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "deepseek-r1-distill-qwen-7b",
                        "SPILLWAY_MODELS_DEFAULT_BASE_URL", "http://127.0.0.1:8000/v1",
                        "SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"), 300))
                .withMapping(ModelsConfig.class)
                .build();

        ModelsConfig models = config.getConfigMapping(ModelsConfig.class);

        assertThat(models.served()).containsOnlyKeys("deepseek-r1-distill-qwen-7b");
        ModelsConfig.Model model = models.served().get("deepseek-r1-distill-qwen-7b");
        assertThat(model.engine()).isEqualTo("openai");
        assertThat(model.baseUrl()).contains(URI.create("http://127.0.0.1:8000/v1"));
        assertThat(model.upstreamModel()).contains("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B");
        assertThat(model.requestTimeout()).hasSeconds(120);
    }

    @Test
    void withoutServedName_theKeyIsTheName() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("SPILLWAY_MODELS_LOCAL_ENGINE", "llamacpp"), 300))
                .withMapping(ModelsConfig.class)
                .build();

        assertThat(config.getConfigMapping(ModelsConfig.class).served()).containsOnlyKeys("local");
    }

    @Test
    void direct_listsTheUpstreamTargetsInOrder_andIsAbsentByDefault() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "deepseek-chat",
                        "SPILLWAY_MODELS_DEFAULT_DIRECT", "deepseek,backup",
                        "SPILLWAY_MODELS_LOCAL_ENGINE", "llamacpp"), 300))
                .withMapping(ModelsConfig.class)
                .build();

        Map<String, ModelsConfig.Model> served = config.getConfigMapping(ModelsConfig.class).served();

        assertThat(served.get("deepseek-chat").direct()).contains(List.of("deepseek", "backup"));
        assertThat(served.get("local").direct()).isEmpty();
    }
}
