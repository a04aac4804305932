package dev.spillway.core.merge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Merges concurrent single writes into batch calls, the way a database's group commit merges transactions into
 * one log flush. A caller hands in its item and blocks until that item's own outcome is known. With a call slot
 * free, the item goes at once, alone if nothing else is waiting: an idle process (a Lambda instance serves one
 * request at a time) pays no added latency. While {@code maxConcurrentCalls} calls are in flight, new items
 * queue up and leave together, up to {@code maxBatchSize} a call, as soon as a slot frees. No thread of its own:
 * the waiting callers take turns making the calls.
 *
 * @param <K> what identifies an item in the batch call's failures (e.g. a job id)
 * @param <I> the item
 */
public final class GroupCommit<K, I> {

    /** The merged downstream call. */
    @FunctionalInterface
    public interface BatchCall<K, I> {

        /**
         * Writes the items, at most {@code maxBatchSize} of them, in their order of arrival.
         *
         * @return the failure of each item that was not written, by key; an item whose key is absent succeeded.
         *         Throwing instead fails every item of the batch with that exception.
         */
        Map<K, ? extends RuntimeException> call(List<I> items);
    }

    private final int maxBatchSize;
    private final int maxConcurrentCalls;
    private final Function<I, K> keyOf;
    private final BatchCall<K, I> call;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a call ends: its items are settled and a call slot is free. */
    private final Condition callEnded = lock.newCondition();
    private final ArrayDeque<Pending<I>> waiting = new ArrayDeque<>();
    private int callsInFlight;

    public GroupCommit(int maxBatchSize, int maxConcurrentCalls, Function<I, K> keyOf, BatchCall<K, I> call) {
        if (maxBatchSize < 1 || maxConcurrentCalls < 1) {
            throw new IllegalArgumentException("maxBatchSize and maxConcurrentCalls must be at least 1");
        }
        this.maxBatchSize = maxBatchSize;
        this.maxConcurrentCalls = maxConcurrentCalls;
        this.keyOf = Objects.requireNonNull(keyOf);
        this.call = Objects.requireNonNull(call);
    }

    /**
     * Writes one item, merged with whatever else is waiting; returns once it is written.
     *
     * @throws NotWrittenException when the caller is interrupted before its item went into a call (a timeout);
     *         once in a call, the caller waits for that call's outcome and keeps its interrupt status
     * @throws RuntimeException the item's own failure: the one the batch call reported for its key, or what the
     *         whole call threw (then the same instance reaches every caller of that batch)
     */
    public void submit(I item) {
        Pending<I> mine = new Pending<>(item);
        boolean interrupted = false;
        lock.lock();
        try {
            waiting.addLast(mine);
            while (!mine.settled) {
                if (callsInFlight < maxConcurrentCalls && !waiting.isEmpty()) {
                    // FIFO: the oldest items go first, so the batch may be other callers' items and not yet mine.
                    List<Pending<I>> batch = new ArrayList<>(Math.min(maxBatchSize, waiting.size()));
                    while (batch.size() < maxBatchSize && !waiting.isEmpty()) {
                        batch.add(waiting.pollFirst());
                    }
                    callsInFlight++;
                    lock.unlock();
                    try {
                        run(batch);
                    } finally {
                        lock.lock();
                        callsInFlight--;
                        callEnded.signalAll();
                    }
                } else {
                    try {
                        callEnded.await();
                    } catch (InterruptedException e) {
                        if (waiting.remove(mine)) {
                            // Not sent yet: withdraw it, so the caller knows for sure that nothing was written.
                            Thread.currentThread().interrupt();
                            throw new NotWrittenException(
                                    "interrupted while waiting to be written; nothing was written");
                        }
                        // Already in a call: its outcome decides, and the caller must learn it.
                        interrupted = true;
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
    }

    /** Items waiting for a call; those already in a call are not counted. */
    public int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Makes the call outside the lock and settles every item of the batch, whatever happens. */
    private void run(List<Pending<I>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        batch.forEach(pending -> items.add(pending.item));
        Map<K, ? extends RuntimeException> failures;
        RuntimeException whole = null;
        Error fatal = null;
        try {
            failures = call.call(items);
        } catch (RuntimeException e) {
            failures = Map.of();
            whole = e;
        } catch (Error e) {
            failures = Map.of();
            whole = new IllegalStateException("batch call failed: " + e, e);
            fatal = e;
        }
        lock.lock();
        try {
            for (Pending<I> pending : batch) {
                pending.failure = whole != null ? whole : failures.get(keyOf.apply(pending.item));
                pending.settled = true;
            }
        } finally {
            lock.unlock();
        }
        if (fatal != null) {
            throw fatal;
        }
    }

    /** The caller gave up (was interrupted) before its item was sent: it was withdrawn, nothing was written. */
    public static final class NotWrittenException extends RuntimeException {

        NotWrittenException(String message) {
            super(message);
        }
    }

    /** One caller's item and, once settled, its outcome. Guarded by {@link #lock}. */
    private static final class Pending<I> {
        final I item;
        boolean settled;
        RuntimeException failure;

        Pending(I item) {
            this.item = item;
        }
    }
}
