package dev.spillway.core.schedule;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The scheduler tick and the backlog signal it publishes. */
@ConfigMapping(prefix = "spillway.scheduler")
public interface SchedulerConfig {

    /**
     * How often the local stack's timer ticks. In AWS an EventBridge rule ticks every minute and this is not read.
     */
    @WithDefault("PT15S")
    Duration localInterval();
}
