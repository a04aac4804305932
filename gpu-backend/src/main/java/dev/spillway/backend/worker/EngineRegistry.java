package dev.spillway.backend.worker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppSettings;
import dev.spillway.backend.engine.llamacpp.TinyRandomGguf;
import dev.spillway.backend.engine.openai.OpenAiEngineSettings;
import dev.spillway.backend.engine.openai.OpenAiHttpEngine;
import dev.spillway.core.config.ModelsConfig;

/** One engine per configured model, built on first use and kept for the life of the process. */
@ApplicationScoped
public class EngineRegistry {

    private static final Logger LOG = Logger.getLogger(EngineRegistry.class);

    /** By the name clients send; the configuration is fixed for the life of the process. */
    private final Map<String, ModelsConfig.Model> models;
    private final Map<String, InferenceEngine> engines = new ConcurrentHashMap<>();

    public EngineRegistry(ModelsConfig models) {
        this.models = models.served();
    }

    /** The engine serving {@code model}, or empty when this worker is not configured for it. */
    public Optional<InferenceEngine> forModel(String model) {
        ModelsConfig.Model config = models.get(model);
        if (config == null) {
            return Optional.empty();
        }
        return Optional.of(engines.computeIfAbsent(model, name -> create(name, config)));
    }

    private static InferenceEngine create(String name, ModelsConfig.Model config) {
        return switch (config.engine()) {
            case "openai" -> new OpenAiHttpEngine(new OpenAiEngineSettings(
                    config.baseUrl().orElseThrow(() -> new IllegalStateException(
                            "spillway.models." + name + ".base-url is required for the openai engine")),
                    config.apiKey(), config.upstreamModel(), config.connectTimeout(), config.requestTimeout()));
            case "llamacpp" -> {
                Path gguf = config.ggufPath().orElseGet(() -> {
                    Path generated = TinyRandomGguf.writeIfAbsent(
                            Path.of(System.getProperty("java.io.tmpdir"), "spillway", "tiny-random.gguf"));
                    LOG.warnf("model %s has no gguf-path: serving a tiny RANDOM-WEIGHT model from %s; its text is "
                            + "gibberish. Set spillway.models.%s.gguf-path to a real GGUF.", name, generated, name);
                    return generated;
                });
                yield new LlamaCppEngine(new LlamaCppSettings(gguf, config.parallelSlots(), config.contextPerSlot(),
                        config.threads(), config.defaultMaxTokens()));
            }
            default -> throw new IllegalStateException("unknown engine '" + config.engine() + "' for model " + name
                    + " (expected openai or llamacpp)");
        };
    }

    @PreDestroy
    void close() {
        engines.values().forEach(engine -> {
            try {
                engine.close();
            } catch (Exception e) {
                LOG.debugf("engine close failed: %s", e.toString());
            }
        });
    }
}
