package dev.spillway.core.schedule.reaper;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the reaper returns jobs of dead workers and gives up on jobs past their deadline. */
@ConfigMapping(prefix = "spillway.reaper")
public interface ReaperConfig {

    /** Run the reaper on each scheduler tick. */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a lease must have lapsed before the reaper reclaims the job. A dead worker's message reappears in
     * the queue after its visibility timeout (as long as the lease) and another worker takes the job over; the
     * reaper is for the jobs that nothing took over within this grace, e.g. whose message was lost.
     */
    @WithDefault("PT1M")
    Duration leaseGrace();

    /** Most jobs each query (lapsed leases, past deadlines) returns per tick; the next tick takes the rest. */
    @WithDefault("500")
    int maxPerTick();
}
