package dev.spillway.intake.direct;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * The upstream APIs the intake may call directly (DeepSeek's, any OpenAI-compatible endpoint), by target name. A
 * model lists the targets it may use in {@code spillway.models.<model>.direct}, in order of preference; each
 * target has its own fault-tolerance policy sized from these values.
 */
@ConfigMapping(prefix = "spillway.upstreams")
public interface UpstreamsConfig {

    @WithParentName
    Map<String, Upstream> targets();

    interface Upstream {

        /** Base URL of the OpenAI API, e.g. {@code https://api.deepseek.com/v1}. */
        URI baseUrl();

        /**
         * The endpoints this target serves, as paths under its base URL: {@code chat/completions},
         * {@code completions}, {@code embeddings}. A request for another endpoint skips it. DeepSeek, for one, serves
         * chat at {@code https://api.deepseek.com} and FIM completions only at its beta base URL
         * {@code https://api.deepseek.com/beta}: two targets.
         */
        @WithDefault("chat/completions")
        List<String> endpoints();

        /** API key sent as a Bearer token. */
        Optional<String> apiKey();

        /** Model name sent upstream, e.g. {@code deepseek-chat}; defaults to the name the client sent. */
        Optional<String> model();

        /** Calls in flight at once (the bulkhead); size it to the account's concurrency limit. */
        @WithDefault("16")
        int maxConcurrency();

        /** Time to establish a connection. */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Longest one attempt may take, body included; also capped by the client's wait budget. */
        @WithDefault("PT60S")
        Duration timeout();

        /** Retries of an attempt that failed with 429, 503, 5xx, a timeout or a cut-off body, within the wait budget. */
        @WithDefault("2")
        int maxRetries();

        /** Ceiling of the first retry's jittered delay; it doubles per retry. {@code Retry-After} wins when longer. */
        @WithDefault("PT0.5S")
        Duration retryDelay();

        /** Cap of the exponential back-off (not of {@code Retry-After}, which the wait budget bounds). */
        @WithDefault("PT8S")
        Duration maxRetryDelay();

        /** Attempts in the circuit breaker's rolling window. */
        @WithDefault("10")
        int breakerWindow();

        /** Share of failed attempts in the window that opens the breaker. */
        @WithDefault("0.5")
        double breakerFailureRatio();

        /** How long an open breaker sends this target's traffic elsewhere before trying it again. */
        @WithDefault("PT30S")
        Duration breakerDelay();
    }
}
