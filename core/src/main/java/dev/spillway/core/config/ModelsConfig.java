package dev.spillway.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.spillway.core.api.RequestKind;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * The models this deployment serves, keyed by the name clients send as {@code model}. The intake reads
 * the names; the worker reads how to run each one.
 */
@ConfigMapping(prefix = "spillway.models")
public interface ModelsConfig {

    /** The configured models by configuration key (use {@link #served()} for the names clients send). */
    @WithParentName
    Map<String, Model> models();

    /**
     * The models by the name clients send: {@code served-name} when set, else the key. The indirection lets a
     * deployment configure {@code spillway.models.default.*} through plain environment variables
     * ({@code SPILLWAY_MODELS_DEFAULT_ENGINE}, ...) while serving a model named, say, {@code deepseek-r1}.
     */
    default Map<String, Model> served() {
        Map<String, Model> served = new TreeMap<>();
        models().forEach((key, model) -> served.put(model.servedName().orElse(key), model));
        return served;
    }

    interface Model {

        /** Which engine runs this model: {@code openai} (any OpenAI-compatible server) or {@code llamacpp}. */
        @WithDefault("openai")
        String engine();

        /**
         * The endpoints the model's fleet engine serves, as paths under its API root ({@code chat/completions},
         * {@code completions}, {@code embeddings}); a request to another is refused at intake. Absent: every one
         * the engine can serve ({@code openai}: all three; {@code llamacpp}: chat and text completions).
         */
        Optional<List<String>> endpoints();

        /** Whether the model's fleet engine serves requests of {@code kind}. */
        default boolean serves(RequestKind kind) {
            if ("llamacpp".equals(engine()) && kind == RequestKind.EMBEDDING) {
                return false;
            }
            return endpoints().map(paths -> paths.stream().anyMatch(path -> RequestKind.ofUpstreamPath(path)
                    .filter(kind::equals).isPresent())).orElse(true);
        }

        /** The model name clients send, when it differs from the configuration key. */
        Optional<String> servedName();

        /**
         * Intake: upstream targets ({@code spillway.upstreams.<name>}) tried in this order before the request spills to
         * the queue. None: every request spills. The worker ignores it.
         */
        Optional<List<String>> direct();

        /** openai: base URL of the server's OpenAI API, e.g. {@code http://127.0.0.1:8000/v1}. */
        Optional<URI> baseUrl();

        /** openai: API key sent as a Bearer token (DeepSeek, OpenAI); none for a local vLLM. */
        Optional<String> apiKey();

        /** openai: name sent upstream as {@code model}; defaults to the key. */
        Optional<String> upstreamModel();

        /** openai: time to establish a connection. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** openai: time for a whole completion. */
        @WithDefault("PT120S")
        Duration requestTimeout();

        /** llamacpp: GGUF file to load; absent means a tiny random-weight model is generated (gibberish). */
        Optional<Path> ggufPath();

        /** llamacpp: sequences decoded together in one batch. */
        @WithDefault("4")
        int parallelSlots();

        /** llamacpp: context tokens per sequence. */
        @WithDefault("2048")
        int contextPerSlot();

        /** llamacpp: CPU threads used for decoding. */
        @WithDefault("2")
        int threads();

        /**
         * The model's own tier queues: its jobs go only there, and only workers that serve it read them (a fleet per
         * model). Absent: the shared queues ({@code spillway.queues.*}), read by every worker without its own.
         */
        Optional<QueuesConfig.TierQueues> queues();

        /** Completion tokens generated when a request sets no {@code max_tokens}. */
        @WithDefault("256")
        int defaultMaxTokens();
    }
}
