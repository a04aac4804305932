package dev.spillway.core.schedule;

import java.time.Duration;
import java.util.Optional;

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

    /**
     * Running workers to divide each tier's backlog by, where nothing else does: the local stack, which runs one.
     * Unset in AWS, where the fleet's scaling policy divides the published backlog by Container Insights'
     * {@code RunningTaskCount}; then no per-worker figure is published.
     */
    Optional<Integer> runningWorkers();
}
