package dev.spillway.backend.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import dev.spillway.core.upstream.UpstreamException;

/**
 * An engine call running on another thread whose {@link #cancel} interrupts that thread, so a cancelled job stops
 * its upstream call or its decoding (a plain {@link CompletableFuture} would let it run to the end).
 */
public final class InterruptibleCall extends CompletableFuture<Generation> {

    /** The work of one call; {@link UpstreamException}s become the outcome's failure. */
    @FunctionalInterface
    public interface Work {
        Generation run() throws UpstreamException;
    }

    private final Object runnerLock = new Object();
    private Thread runner;

    private InterruptibleCall() {
    }

    public static InterruptibleCall start(Executor executor, Work work) {
        InterruptibleCall call = new InterruptibleCall();
        try {
            executor.execute(() -> call.runOnThisThread(work));
        } catch (RejectedExecutionException e) {
            call.completeExceptionally(
                    UpstreamException.retryable("engine_closed", "the engine is shut down", null, e));
        }
        return call;
    }

    /**
     * Runs even when cancelled before it started, with the interrupt already set: the work may hold something to
     * release (a sequence already queued in the engine) and stops at its first interrupt check.
     */
    private void runOnThisThread(Work work) {
        synchronized (runnerLock) {
            runner = Thread.currentThread();
            if (isCancelled()) {
                runner.interrupt();
            }
        }
        try {
            complete(work.run());
        } catch (UpstreamException | RuntimeException e) {
            completeExceptionally(e);
        } finally {
            synchronized (runnerLock) {
                runner = null;
            }
            Thread.interrupted(); // a late cancel must not leak its interrupt into the pool's next task
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            synchronized (runnerLock) {
                if (runner != null) {
                    runner.interrupt();
                }
            }
        }
        return cancelled;
    }
}
