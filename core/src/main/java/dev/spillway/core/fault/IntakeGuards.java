package dev.spillway.core.fault;

import java.time.Duration;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.Guard;

/**
 * The intake's writes to the job store and the work queue, each through its named guard, and how long a refused
 * caller should wait before retrying.
 */
@ApplicationScoped
public class IntakeGuards {

    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(2);

    private final Guard store;
    private final Guard queue;
    private final DynamoDbGuardConfig storeConfig;
    private final SqsGuardConfig queueConfig;

    public IntakeGuards(@Identifier(DownstreamGuards.DYNAMODB) Guard store, @Identifier(DownstreamGuards.SQS) Guard queue,
            DynamoDbGuardConfig storeConfig, SqsGuardConfig queueConfig) {
        this.store = store;
        this.queue = queue;
        this.storeConfig = storeConfig;
        this.queueConfig = queueConfig;
    }

    public <T> T store(Callable<T> call, Class<T> type) throws Exception {
        return store.call(call, type);
    }

    public void store(Runnable write) throws Exception {
        store.call(() -> {
            write.run();
            return null;
        }, Object.class);
    }

    public void queue(Runnable send) throws Exception {
        queue.call(() -> {
            send.run();
            return null;
        }, Object.class);
    }

    /** An open breaker will refuse for about its delay; a single failure is worth retrying sooner. */
    public Duration storeRetryAfter(Exception failure) {
        return retryAfter(failure, storeConfig.breakerDelay());
    }

    public Duration queueRetryAfter(Exception failure) {
        return retryAfter(failure, queueConfig.breakerDelay());
    }

    private static Duration retryAfter(Exception failure, Duration breakerDelay) {
        return failure instanceof CircuitBreakerOpenException ? breakerDelay : RETRY_UNAVAILABLE;
    }
}
