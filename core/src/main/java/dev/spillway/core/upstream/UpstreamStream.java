package dev.spillway.core.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * A streamed answer an upstream has begun to send (it answered 2xx): its body's bytes as they arrive. Read it once.
 * The call's timer keeps running: an upstream that stalls past the call's timeout ends the body with an
 * {@link UpstreamException}, as does a connection cut mid-way. Cancelling the body resets the call, so a client that
 * goes away stops the upstream's work.
 */
public final class UpstreamStream {

    private final Multi<Buffer> body;

    private UpstreamStream(Multi<Buffer> body) {
        this.body = body;
    }

    /** The body's bytes as the upstream sends them: server-sent events, not split at event boundaries. */
    public Multi<Buffer> body() {
        return body;
    }

    /** The call until its headers arrive; it then completes with the stream, whose body continues the call. */
    static final class Opening extends CompletableFuture<UpstreamStream> {

        private final Vertx vertx;
        private final UpstreamException timedOut;
        private final long timer;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile HttpClientRequest request;
        /** Set once the body is read: what the call's timer does then. */
        private volatile Runnable onTimeout;

        Opening(Vertx vertx, Duration timeout, Function<Duration, UpstreamException> timedOut) {
            this.vertx = vertx;
            this.timedOut = timedOut.apply(timeout);
            this.timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                Runnable streaming = onTimeout;
                if (streaming != null) {
                    streaming.run();
                } else {
                    fail(this.timedOut);
                }
            });
        }

        /** False when the call already ended (timed out) and the request was reset. */
        boolean sending(HttpClientRequest sending) {
            request = sending;
            if (isDone()) {
                sending.reset();
                return false;
            }
            return true;
        }

        void fail(UpstreamException failure) {
            vertx.cancelTimer(timer);
            if (completeExceptionally(failure) && request != null) {
                request.reset();
            }
        }

        void answered(HttpClientResponse response, Function<Throwable, UpstreamException> cutOff) {
            response.pause();
            Multi<Buffer> body = Multi.createFrom().emitter(emitter -> {
                onTimeout = () -> {
                    if (ended.compareAndSet(false, true)) {
                        emitter.fail(timedOut);
                        request.reset();
                    }
                };
                response.handler(emitter::emit);
                response.exceptionHandler(cause -> {
                    if (ended.compareAndSet(false, true)) {
                        vertx.cancelTimer(timer);
                        emitter.fail(cause instanceof UpstreamException e ? e : cutOff.apply(cause));
                    }
                });
                response.endHandler(ignored -> {
                    if (ended.compareAndSet(false, true)) {
                        vertx.cancelTimer(timer);
                        emitter.complete();
                    }
                });
                emitter.onTermination(() -> {
                    if (ended.compareAndSet(false, true)) { // the reader went away first
                        vertx.cancelTimer(timer);
                        request.reset();
                    }
                });
                response.resume();
            });
            if (!complete(new UpstreamStream(body))) {
                request.reset();
            }
        }
    }
}
