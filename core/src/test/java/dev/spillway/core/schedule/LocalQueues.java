package dev.spillway.core.schedule;

import java.util.Optional;

import dev.spillway.core.config.QueuesConfig;
import dev.spillway.local.emulators.LocalCloud;

/** The tier queues of a {@link LocalCloud} as the application's configuration names them. */
public final class LocalQueues {

    private LocalQueues() {
    }

    public static QueuesConfig of(LocalCloud cloud) {
        return new QueuesConfig() {
            @Override
            public TierQueue interactive() {
                return tier(cloud, "interactive");
            }

            @Override
            public TierQueue standard() {
                return tier(cloud, "standard");
            }

            @Override
            public TierQueue batch() {
                return tier(cloud, "batch");
            }
        };
    }

    private static QueuesConfig.TierQueue tier(LocalCloud cloud, String name) {
        return new QueuesConfig.TierQueue() {
            @Override
            public String url() {
                return cloud.queueUrl(name);
            }

            @Override
            public Optional<String> dlqUrl() {
                return Optional.of(cloud.queueUrl(name + "-dlq"));
            }
        };
    }
}
