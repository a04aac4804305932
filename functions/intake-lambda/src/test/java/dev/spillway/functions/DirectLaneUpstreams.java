package dev.spillway.functions;

import java.util.HashMap;
import java.util.Map;

import dev.spillway.local.emulators.ScriptedUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Two OpenAI-compatible upstreams on loopback, {@code a} and {@code b}, and the direct-lane targets and models
 * {@link DirectLaneTest} calls them through. Each model has targets of its own so one test's open breaker or full
 * bulkhead does not leak into another's.
 */
public class DirectLaneUpstreams implements QuarkusTestResourceLifecycleManager {

    private static volatile ScriptedUpstream a;
    private static volatile ScriptedUpstream b;

    @Override
    public Map<String, String> start() {
        a = new ScriptedUpstream("a");
        b = new ScriptedUpstream("b");
        Map<String, String> config = new HashMap<>();
        // direct-model: primary (a) first, secondary (b) when primary cannot answer; the failures several tests
        // script at primary must not open its breaker (fragile-model tests the breaker)
        target(config, "primary", a, Map.of("max-retries", "2", "retry-delay", "PT0.05S", "max-retry-delay", "PT0.2S",
                "breaker-window", "1000", "endpoints", "chat/completions,completions,embeddings"));
        target(config, "secondary", b, Map.of());
        config.put("spillway.models.direct-model.direct", "primary,secondary");
        // solo-model: one call at a time, so a held call fills it
        target(config, "solo", a, Map.of("max-concurrency", "1", "max-retries", "0"));
        config.put("spillway.models.solo-model.direct", "solo");
        // fragile-model: two failures open the breaker for longer than the test runs
        target(config, "fragile", a, Map.of("max-retries", "0", "breaker-window", "2", "breaker-failure-ratio", "1.0",
                "breaker-delay", "PT5M"));
        config.put("spillway.models.fragile-model.direct", "fragile");
        // slow-model: gives up on an attempt after a second
        target(config, "slow", a, Map.of("timeout", "PT1S", "max-retries", "0"));
        config.put("spillway.models.slow-model.direct", "slow");
        // fim-model: a chat-only target (b, the default endpoints) first, then one serving only text completions (a),
        // as DeepSeek serves chat at its base URL and FIM at its beta one
        target(config, "chat-only", b, Map.of());
        target(config, "fim-beta", a, Map.of("endpoints", "completions"));
        config.put("spillway.models.fim-model.direct", "chat-only,fim-beta");
        // chat-only-model: its fleet serves chat alone
        config.put("spillway.models.chat-only-model.endpoints", "chat/completions");
        // tiny-model: served by the embedded llama.cpp engine, which refuses what it cannot do at intake
        config.put("spillway.models.tiny-model.engine", "llamacpp");
        return config;
    }

    private static void target(Map<String, String> config, String name, ScriptedUpstream upstream,
            Map<String, String> settings) {
        config.put("spillway.upstreams." + name + ".base-url", upstream.baseUrl());
        config.put("spillway.upstreams." + name + ".api-key", "sk-" + name);
        settings.forEach((key, value) -> config.put("spillway.upstreams." + name + "." + key, value));
    }

    @Override
    public void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    static ScriptedUpstream a() {
        return a;
    }

    static ScriptedUpstream b() {
        return b;
    }
}
