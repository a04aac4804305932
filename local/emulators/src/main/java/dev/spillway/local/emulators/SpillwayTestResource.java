package dev.spillway.local.emulators;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the {@link LocalCloud} for a {@code @QuarkusTest} and points the application at it. Init args:
 * {@code visibilityTimeout} (seconds) and {@code maxReceiveCount}. Tests reach the emulators through
 * {@link #cloud()} to look behind the API (what was queued, what was stored) and to break things.
 */
public class SpillwayTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile LocalCloud current;
    private LocalCloud.Options options = LocalCloud.Options.forTests();
    /** This resource's own cloud: with several resources (restricted to classes) each stops only its own. */
    private LocalCloud cloud;

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey("visibilityTimeout")) {
            options = options.withVisibilityTimeout(Duration.ofSeconds(Long.parseLong(initArgs.get("visibilityTimeout"))));
        }
        if (initArgs.containsKey("maxReceiveCount")) {
            options = options.withMaxReceiveCount(Integer.parseInt(initArgs.get("maxReceiveCount")));
        }
    }

    @Override
    public Map<String, String> start() {
        cloud = LocalCloud.start(options);
        current = cloud;
        return cloud.config();
    }

    @Override
    public void stop() {
        if (current == cloud) {
            current = null;
        }
        if (cloud != null) {
            cloud.close();
            cloud = null;
        }
    }

    /** The cloud of the application under test (the most recently started resource). */
    public static LocalCloud cloud() {
        LocalCloud started = current;
        if (started == null) {
            throw new IllegalStateException("SpillwayTestResource is not started");
        }
        return started;
    }
}
