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

    /** Long-poll wait of each receive from the ingest queue (SQS allows 20 s); a message ends it at once. */
    @WithDefault("PT20S")
    Duration ingestWait();

    /** Pause of the stream poller after a poll that found nothing; it doubles per empty poll in a row. */
    @WithDefault("PT0.5S")
    Duration pollInterval();

    /**
     * Longest pause of a poller that keeps finding nothing (the stream poller, and the batch-files poller from
     * {@code spillway.files.poll-interval}), so an idle stack costs next to nothing.
     */
    @WithDefault("PT10S")
    Duration maxPollInterval();
}
