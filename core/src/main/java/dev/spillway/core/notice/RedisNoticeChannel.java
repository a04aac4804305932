package dev.spillway.core.notice;

import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.fault.DownstreamGuards;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.smallrye.faulttolerance.api.ApplyGuard;

/** Redis pub/sub calls behind the Redis guard. */
@ApplicationScoped
public class RedisNoticeChannel {

    private final PubSubCommands<String> pubsub;

    public RedisNoticeChannel(RedisDataSource redis) {
        this.pubsub = redis.pubsub(String.class);
    }

    @ApplyGuard(DownstreamGuards.REDIS)
    public void publish(String channel, String message) {
        pubsub.publish(channel, message);
    }

    /** Returns once Redis confirmed the subscription; {@code onLost} runs when the connection ends or fails. */
    @ApplyGuard(DownstreamGuards.REDIS)
    public PubSubCommands.RedisSubscriber subscribe(String channel, Consumer<String> onMessage, Runnable onLost) {
        return pubsub.subscribe(channel, onMessage, onLost, failure -> onLost.run());
    }
}
