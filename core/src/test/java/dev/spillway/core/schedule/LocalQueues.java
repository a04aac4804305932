package dev.spillway.core.schedule;

import java.util.Optional;

import dev.spillway.core.queue.Fleets;
import dev.spillway.local.emulators.LocalCloud;

/** The shared tier queues of a {@link LocalCloud} as the application's configuration names them. */
public final class LocalQueues {

    private LocalQueues() {
    }

    public static Fleets of(LocalCloud cloud) {
        return Fleets.shared(new Fleets.Queues(tier(cloud, "interactive"), tier(cloud, "standard"),
                tier(cloud, "batch")));
    }

    private static Fleets.Urls tier(LocalCloud cloud, String name) {
        return new Fleets.Urls(cloud.queueUrl(name), Optional.of(cloud.queueUrl(name + "-dlq")));
    }
}
