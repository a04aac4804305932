package dev.spillway.functions.events.prescale;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which ECS services' scalable targets pre-scaling may raise; the CDK app sets them on the scheduler function. */
@ConfigMapping(prefix = "spillway.fleet-floor")
public interface EcsFleetFloorConfig {

    /**
     * One {@code <fleet>=<resource id>} per fleet, the resource id as Application Auto Scaling names an ECS service
     * ({@code service/<cluster>/<service>}). A fleet not listed is never pre-scaled.
     */
    Optional<List<String>> scalableTargets();

    /** Each fleet's minimum as deployed ({@code minTasks}): where its floor returns when the forecast falls. */
    @WithDefault("1")
    int minTasks();

    /** The region of the scalable targets; by default the function's own ({@code AWS_REGION}). */
    Optional<String> region();

    /** Application Auto Scaling endpoint, only to point the client elsewhere (tests). */
    Optional<URI> endpointOverride();
}
