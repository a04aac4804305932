package dev.spillway.core.fault;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One named fault-tolerance policy per downstream, applied with {@code @ApplyGuard("<name>")} and tuned with
 * {@code smallrye.faulttolerance."<name>".*} properties. The numbers here are defaults, not the place to tune.
 */
public class DownstreamGuards {

    /** Redis is an accelerator: fail fast and stop asking for a while, so a dead Redis costs no latency. */
    public static final String REDIS = "redis";

    @Produces
    @Singleton
    @Identifier(REDIS)
    Guard redis() {
        return Guard.create()
                .withDescription(REDIS)
                .withTimeout().duration(500, ChronoUnit.MILLIS).done()
                .withCircuitBreaker()
                .requestVolumeThreshold(4)
                .failureRatio(0.5)
                .delay(5, ChronoUnit.SECONDS)
                .successThreshold(1)
                .done()
                .build();
    }
}
