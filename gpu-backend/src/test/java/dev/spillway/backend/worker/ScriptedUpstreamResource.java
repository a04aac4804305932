package dev.spillway.backend.worker;

import java.util.Map;

import dev.spillway.local.emulators.ScriptedUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Serves model {@code scripted} from a {@link ScriptedUpstream} through the worker's openai engine. */
public class ScriptedUpstreamResource implements QuarkusTestResourceLifecycleManager {

    private static volatile ScriptedUpstream upstream;

    @Override
    public Map<String, String> start() {
        upstream = new ScriptedUpstream();
        return Map.of("spillway.models.scripted.engine", "openai",
                "spillway.models.scripted.base-url", upstream.baseUrl(),
                "spillway.models.scripted.request-timeout", "PT60S");
    }

    @Override
    public void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    public static ScriptedUpstream upstream() {
        return upstream;
    }
}
