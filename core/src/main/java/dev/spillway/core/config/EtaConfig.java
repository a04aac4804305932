package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the intake estimates when a spilled job will finish, and how workers report what it is estimated from. */
@ConfigMapping(prefix = "spillway.eta")
public interface EtaConfig {

    /** Estimate finish times (and answer 202 at once when one is past the caller's budget); off: wait as asked. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Time from "no worker of the fleet is running" to its first finished job: instance launch, image pull, weight
     * download, model load. The capacity planner's GPU cold start is 6 to 8 minutes.
     */
    @WithDefault("PT7M")
    Duration coldStart();

    /** Time a job takes on a worker (claim to finish) until workers have measured it. */
    @WithDefault("PT30S")
    Duration defaultServiceTime();

    /** Job slots assumed for the first worker of a fleet that is at zero. */
    @WithDefault("4")
    int coldFleetSlots();

    /** Worker: how often it reports its slots and completions. */
    @WithDefault("PT5S")
    Duration reportInterval();

    /** A worker not heard from for this long no longer counts as running (it crashed, or was scaled in). */
    @WithDefault("PT30S")
    Duration reportMaxAge();

    /** Worker: how far back it counts completions and averages their service time. */
    @WithDefault("PT60S")
    Duration window();

    /** Intake: how long one reading of a fleet's queue depths and reports serves every estimate. */
    @WithDefault("PT1S")
    Duration readingTtl();
}
