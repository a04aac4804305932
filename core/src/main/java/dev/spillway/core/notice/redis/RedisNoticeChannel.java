package dev.spillway.core.notice.redis;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import dev.spillway.core.fault.RedisGuardConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/** Redis pub/sub calls behind the Redis guard. */
@ApplicationScoped
public class RedisNoticeChannel {

    private final PubSubCommands<String> pubsub;
    private final io.vertx.redis.client.Redis redis;
    private final RedisGuardConfig guard;
    /**
     * Starts subscriptions on a thread without a Vert.x context. Started from a request's worker thread, the
     * connection's callbacks would queue behind that very thread while it blocks for the confirmation: Quarkus'
     * own subscribe then never confirms, times out, and leaves a connection subscribed with no listener.
     */
    private final ExecutorService starter = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "spillway-notice-subscriber");
        thread.setDaemon(true);
        return thread;
    });

    public RedisNoticeChannel(RedisDataSource redis, RedisGuardConfig guard) {
        this.pubsub = redis.pubsub(String.class);
        this.redis = redis.getReactive().getRedis().getDelegate();
        this.guard = guard;
    }

    @ApplyGuard(DownstreamGuards.REDIS)
    public void publish(String channel, String message) {
        pubsub.publish(channel, message);
    }

    /**
     * Returns once Redis confirmed the subscription, so a message published afterwards reaches {@code onMessage};
     * {@code onLost} runs when a confirmed subscription's connection ends or fails. On failure nothing stays
     * subscribed.
     */
    @ApplyGuard(DownstreamGuards.REDIS)
    public NoticeSubscription subscribe(String channel, Consumer<String> onMessage,
            Consumer<NoticeSubscription> onLost) throws TimeoutException, ExecutionException, InterruptedException {
        NoticeSubscription subscription = new NoticeSubscription(channel, onMessage, onLost);
        try {
            starter.execute(() -> subscription.start(redis));
            return subscription.confirmed().get(guard.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            subscription.close();
            Thread.currentThread().interrupt();
            throw e;
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            subscription.close();
            throw e;
        }
    }

    @PreDestroy
    void close() {
        starter.shutdownNow();
    }
}
