package dev.spillway.intake.api;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Where the blocking part of a non-blocking resource runs. Resources whose requests may wait start on the event
 * loop and hand their blocking calls (DynamoDB, SQS, Redis) to the worker pool here: a worker thread is held only
 * while those calls run, never while the request waits for its job.
 */
final class WorkerPool {

    private WorkerPool() {
    }

    /**
     * Runs {@code work} on a worker thread in the request's Vert.x context (so its log context goes with it), and
     * subscribes there to the {@code Uni} it returns: a wait that follows starts on that worker thread.
     */
    static <T> Uni<T> run(Supplier<Uni<? extends T>> work) {
        Context request = Vertx.currentContext();
        return Uni.createFrom().<T>deferred(work).runSubscriptionOn(task -> request.executeBlocking(() -> {
            task.run();
            return null;
        }, false));
    }
}
