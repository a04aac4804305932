package dev.spillway.core.forecast;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Pre-scaling: raising each fleet's minimum ahead of a forecast rise, within a GPU-hour budget. The CDK app sets these
 * from the same {@code CapacitySettings} the fleet's scaling is synthesized from.
 */
@ConfigMapping(prefix = "spillway.prescale")
public interface PrescaleConfig {

    /** Raise fleets' minimums from the forecast; off, the forecast is only published. */
    @WithDefault("false")
    boolean enabled();

    /** Most task-hours the floor may add above each fleet's deployed minimum per day (UTC): what a wrong forecast costs at most. */
    @WithDefault("12")
    double gpuHoursPerDay();

    /** Tasks asked for = forecast jobs per second x headroom / one task's jobs per second. */
    @WithDefault("1.25")
    double headroom();

    /** Task time per job, concurrency included ({@code meanProcessingSeconds}): one task's throughput is its inverse. */
    @WithDefault("PT2S")
    Duration meanProcessing();

    /** Longest cold start of a task ({@code coldStartMaxSeconds}): the floor is raised this far ahead of a rise. */
    @WithDefault("PT8M")
    Duration coldStart();

    /** How late the scaling metrics are; added to the lead time. */
    @WithDefault("PT1M")
    Duration metricLag();

    /** How long a released task's instance stays billed (ECS managed scaling: 15 min); charged when the floor falls. */
    @WithDefault("PT15M")
    Duration instanceLinger();

    /** The scheduler's period: each tick grants the floor's extra tasks for this long. */
    @WithDefault("PT1M")
    Duration tick();
}
