package dev.spillway.backend.worker;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.backend.batching.AdaptiveConcurrencyLimit;
import dev.spillway.backend.batching.AdaptiveLimitSettings;
import dev.spillway.backend.batching.BatchPolicy;
import dev.spillway.backend.batching.BatchingConfig;
import dev.spillway.backend.batching.DynamicBatcher;
import dev.spillway.backend.batching.EngineCapacity;
import dev.spillway.backend.batching.VllmMetricsProbe;
import dev.spillway.backend.engine.InferenceEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppEngine;
import dev.spillway.backend.engine.llamacpp.LlamaCppSettings;
import dev.spillway.backend.engine.llamacpp.TinyRandomGguf;
import dev.spillway.backend.engine.openai.OpenAiEngineSettings;
import dev.spillway.backend.engine.openai.OpenAiHttpEngine;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.metrics.SpillwayMetrics;
import io.vertx.core.Vertx;

/**
 * One engine per configured model, built on first use and kept for the life of the process, behind its own
 * {@link DynamicBatcher}: llama.cpp bounded by its slots, an OpenAI-compatible server by an adaptive in-flight limit.
 */
@ApplicationScoped
public class EngineRegistry {

    private static final Logger LOG = Logger.getLogger(EngineRegistry.class);

    /** By the name clients send; the configuration is fixed for the life of the process. */
    private final Map<String, ModelsConfig.Model> models;
    private final Map<String, InferenceEngine> engines = new ConcurrentHashMap<>();
    private final BatchingConfig batching;
    private final SpillwayMetrics metrics;
    private final Clock clock;
    private final int workerConcurrency;
    private final Vertx vertx;

    public EngineRegistry(ModelsConfig models, BatchingConfig batching, WorkerConfig worker, SpillwayMetrics metrics,
            Clock clock, Vertx vertx) {
        this.models = models.served();
        this.vertx = vertx;
        this.batching = batching;
        this.metrics = metrics;
        this.clock = clock;
        this.workerConcurrency = worker.concurrency();
    }

    /** The engine serving {@code model}, or empty when this worker is not configured for it. */
    public Optional<InferenceEngine> forModel(String model) {
        ModelsConfig.Model config = models.get(model);
        if (config == null) {
            return Optional.empty();
        }
        return Optional.of(engines.computeIfAbsent(model, name -> batched(name, config)));
    }

    private DynamicBatcher batched(String name, ModelsConfig.Model config) {
        InferenceEngine engine = create(name, config);
        EngineCapacity capacity = switch (config.engine()) {
            case "llamacpp" -> EngineCapacity.fixed(config.parallelSlots());
            default -> {
                AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(name,
                        AdaptiveLimitSettings.of(batching.adaptive()), clock);
                if (batching.adaptive().probeMetrics()) {
                    config.baseUrl().ifPresent(baseUrl -> limit.followMetricsAt(
                            VllmMetricsProbe.metricsUriFor(baseUrl), batching.adaptive().probeInterval()));
                }
                yield limit;
            }
        };
        BatchPolicy policy = BatchPolicy.forModel(batching, name, config.defaultMaxTokens(),
                "llamacpp".equals(config.engine()) ? BatchPolicy.LOCKSTEP_WAIT : Duration.ZERO);
        int mostInFlight = "llamacpp".equals(config.engine()) ? config.parallelSlots() : batching.adaptive().max();
        if (workerConcurrency < mostInFlight) {
            // Running jobs are what fill the engine: fewer job slots than it can take in flight leave it underfed.
            LOG.warnf("spillway.worker.concurrency (%d) is below what the engine of model %s can take in flight (%d): "
                    + "raise it, or lower %s", workerConcurrency, name, mostInFlight,
                    "llamacpp".equals(config.engine()) ? "its parallel-slots" : "spillway.batching.adaptive.max");
        }
        return new DynamicBatcher(name, engine, capacity, policy, metrics);
    }

    private InferenceEngine create(String name, ModelsConfig.Model config) {
        return switch (config.engine()) {
            case "openai" -> new OpenAiHttpEngine(new OpenAiEngineSettings(
                    config.baseUrl().orElseThrow(() -> new IllegalStateException(
                            "spillway.models." + name + ".base-url is required for the openai engine")),
                    config.apiKey(), config.upstreamModel(), config.connectTimeout(), config.requestTimeout()), vertx);
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
