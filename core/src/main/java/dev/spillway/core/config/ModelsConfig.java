package dev.spillway.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * The models this deployment serves, keyed by the name clients send as {@code model}. The intake reads
 * the names; the worker reads how to run each one.
 */
@ConfigMapping(prefix = "spillway.models")
public interface ModelsConfig {

    @WithParentName
    Map<String, Model> models();

    interface Model {

        /** Which engine runs this model: {@code openai} (any OpenAI-compatible server) or {@code llamacpp}. */
        @WithDefault("openai")
        String engine();

        /** Name the model is served under when it differs from the key, e.g. a vLLM served-model-name. */
        Optional<String> servedName();

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

        /** Completion tokens generated when a request sets no {@code max_tokens}. */
        @WithDefault("256")
        int defaultMaxTokens();
    }
}
