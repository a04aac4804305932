package dev.spillway.core.notice.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection subscribed to the notice channel. Its reply handler is installed before SUBSCRIBE is sent,
 * so Redis's confirmation cannot slip past it: {@link #confirmed()} completes exactly when Redis has the
 * subscription, and every message published after that reaches {@code onMessage}.
 */
public final class NoticeSubscription implements AutoCloseable {

    private final String channel;
    private final Consumer<String> onMessage;
    private final Consumer<NoticeSubscription> onLost;
    private final CompletableFuture<NoticeSubscription> confirmed = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile RedisConnection connection;

    NoticeSubscription(String channel, Consumer<String> onMessage, Consumer<NoticeSubscription> onLost) {
        this.channel = channel;
        this.onMessage = onMessage;
        this.onLost = onLost;
    }

    /** Completes once Redis confirmed the subscription; fails if the connection or the command failed first. */
    CompletableFuture<NoticeSubscription> confirmed() {
        return confirmed;
    }

    /** Subscribes on a fresh connection; the outcome arrives on {@link #confirmed()}. */
    void start(io.vertx.redis.client.Redis redis) {
        redis.connect().onSuccess(this::subscribeOn).onFailure(confirmed::completeExceptionally);
    }

    private void subscribeOn(RedisConnection opened) {
        connection = opened;
        if (ended.get()) {
            // closed (e.g. timed out) while connecting: never leave a subscription nobody listens to
            opened.close();
            return;
        }
        opened.handler(this::onReply);
        opened.endHandler(ignored -> ended(new IllegalStateException("notice connection closed")));
        opened.exceptionHandler(this::ended);
        opened.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onFailure(this::ended);
    }

    private void onReply(Response reply) {
        if (reply == null || reply.size() < 3) {
            return;
        }
        String kind = reply.get(0).toString();
        if ("subscribe".equalsIgnoreCase(kind)) {
            confirmed.complete(this);
        } else if ("message".equalsIgnoreCase(kind) && reply.get(2) != null) {
            onMessage.accept(reply.get(2).toString());
        }
    }

    private void ended(Throwable cause) {
        if (ended.compareAndSet(false, true)) {
            // Before confirmation the subscriber learns it through the future; after it, the subscription is lost.
            if (!confirmed.completeExceptionally(cause)) {
                onLost.accept(this);
            }
            close();
        }
    }

    /** Ends the subscription (Redis drops it with the connection); {@code onLost} is not called for this. */
    @Override
    public void close() {
        ended.set(true);
        confirmed.completeExceptionally(new IllegalStateException("notice subscription closed"));
        RedisConnection current = connection;
        if (current != null) {
            current.close();
        }
    }
}
