package dev.spillway.local.events;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The local stand-ins for the event-source Lambdas: pollers feeding the same core services. */
@ConfigMapping(prefix = "spillway.local.events")
public interface LocalEventsConfig {

    /** Poll the ingest queue (ElasticMQ) and turn its messages into jobs, as the ingest Lambda does in AWS. */
    @WithDefault("true")
    boolean ingestPoller();

    /** Read the jobs table's stream (the DynamoDB emulator) and deliver webhooks, as the notifier Lambda does in AWS. */
    @WithDefault("true")
    boolean streamPoller();

    /** Pause between two polls that found nothing (the ingest poller long-polls for up to a second besides). */
    @WithDefault("PT0.5S")
    Duration pollInterval();
}
