package dev.spillway.core.fault;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One named fault-tolerance policy per downstream, applied with {@code @ApplyGuard("<name>")} and tuned through
 * its own config mapping (programmatic guards do not read {@code smallrye.faulttolerance.*} keys).
 */
public class DownstreamGuards {

    /** Redis is an accelerator: fail fast and stop asking for a while, so a dead Redis costs no latency. */
    public static final String REDIS = "redis";

    @Produces
    @Singleton
    @Identifier(REDIS)
    Guard redis(RedisGuardConfig config) {
        return Guard.create()
                .withDescription(REDIS)
                .withTimeout().duration(config.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withCircuitBreaker()
                .requestVolumeThreshold(config.breakerWindow())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .done()
                .build();
    }
}
