package dev.spillway.infra.data;

import java.util.Locale;

/** The priority tiers, in the order the worker serves them. Each one owns a queue and a dead-letter queue. */
public enum Tier {
    INTERACTIVE,
    STANDARD,
    BATCH;

    /** Lower-case name used in resource ids and metric ids, e.g. {@code interactive}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Construct id, e.g. {@code Interactive}. */
    public String constructId() {
        return name().charAt(0) + id().substring(1);
    }

    /** Environment variable carrying the queue URL, read as {@code spillway.queues.<tier>.url}. */
    public String urlVariable() {
        return "SPILLWAY_QUEUES_" + name() + "_URL";
    }

    /** Environment variable carrying the dead-letter queue URL, read as {@code spillway.queues.<tier>.dlq-url}. */
    public String dlqUrlVariable() {
        return "SPILLWAY_QUEUES_" + name() + "_DLQ_URL";
    }
}
