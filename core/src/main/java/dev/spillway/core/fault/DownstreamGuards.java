package dev.spillway.core.fault;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import dev.spillway.core.api.ApiException;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One named fault-tolerance policy per downstream, applied with {@code @ApplyGuard("<name>")} or injected with
 * {@code @Identifier("<name>")}, and tuned through its own config mapping (programmatic guards do not read
 * {@code smallrye.faulttolerance.*} keys). Each upstream target of the direct lane has its own policy too, built
 * per configured target by {@code UpstreamTarget}.
 */
public class DownstreamGuards {

    /** Redis is an accelerator: fail fast and stop asking for a while, so a dead Redis costs no latency. */
    public static final String REDIS = "redis";
    /** SQS at the intake: a request is queued or refused, quickly, never left hanging. */
    public static final String SQS = "sqs";
    /** DynamoDB at the intake: a job is recorded or the request refused, quickly. */
    public static final String DYNAMODB = "dynamodb";

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

    @Produces
    @Singleton
    @Identifier(SQS)
    Guard sqs(SqsGuardConfig config) {
        return Guard.create()
                .withDescription(SQS)
                .withRetry()
                .maxRetries(config.maxRetries())
                .abortOn(CircuitBreakerOpenException.class)
                .withExponentialBackoff().done()
                .delay(config.retryDelay().toMillis(), ChronoUnit.MILLIS)
                .jitter(config.retryDelay().toMillis() / 2, ChronoUnit.MILLIS)
                .done()
                .withCircuitBreaker()
                .name(SQS)
                .requestVolumeThreshold(config.breakerWindow())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .done()
                .withTimeout().duration(config.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
    }

    @Produces
    @Singleton
    @Identifier(DYNAMODB)
    Guard dynamodb(DynamoDbGuardConfig config) {
        return Guard.create()
                .withDescription(DYNAMODB)
                .withCircuitBreaker()
                .name(DYNAMODB)
                .requestVolumeThreshold(config.breakerWindow())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                // a refusal of the request (e.g. a reused idempotency key) is DynamoDB working, not failing
                .skipOn(ApiException.class)
                .done()
                .withTimeout().duration(config.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
    }
}
