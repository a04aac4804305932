package dev.spillway.core.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit: each caller gets its own outcome, nothing is lost or sent twice, and the caps hold. */
class GroupCommitTest {

    private final ExecutorService callers = Executors.newCachedThreadPool();
    /** Every batch call, in the order made, with the items it carried. */
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    /** A batch call that records itself, waits for {@code gate} on its first call only, and fails nothing. */
    private GroupCommit.BatchCall<String, String> recording(CountDownLatch firstCallGate) {
        return items -> {
            calls.add(List.copyOf(items));
            if (calls.size() == 1) {
                awaitGate(firstCallGate);
            }
            return Map.of();
        };
    }

    private static void awaitGate(CountDownLatch gate) {
        try {
            assertThat(gate.await(10, TimeUnit.SECONDS)).as("test gate opened").isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private Future<?> submitAsync(GroupCommit<String, String> merger, String item) {
        return callers.submit(() -> merger.submit(item));
    }

    /** Starts one caller per item, each only once the previous one is waiting, so arrival order is known. */
    private List<Future<?>> queueInOrder(GroupCommit<String, String> merger, List<String> items) {
        List<Future<?>> submitted = new ArrayList<>();
        for (String item : items) {
            int before = merger.waiting();
            submitted.add(submitAsync(merger, item));
            await().atMost(Duration.ofSeconds(10)).until(() -> merger.waiting() == before + 1);
        }
        return submitted;
    }

    private static void awaitAll(List<Future<?>> futures) throws Exception {
        for (Future<?> future : futures) {
            future.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void submit_whenIdle_callsAtOnceWithTheItemAlone() {
        GroupCommit<String, String> merger = new GroupCommit<>(10, 1, Function.identity(), recording(new CountDownLatch(0)));

        merger.submit("a");
        merger.submit("b");

        assertThat(calls).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void submit_whileACallIsInFlight_mergesLaterArrivalsIntoTheNextCallInArrivalOrder() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<String, String> merger = new GroupCommit<>(10, 1, Function.identity(), recording(gate));
        Future<?> first = submitAsync(merger, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);

        List<Future<?>> later = queueInOrder(merger, List.of("b", "c", "d", "e"));
        gate.countDown();
        awaitAll(later);
        first.get(10, TimeUnit.SECONDS);

        assertThat(calls).containsExactly(List.of("first"), List.of("b", "c", "d", "e"));
    }

    @Test
    void submit_whenItsItemFails_throwsItsOwnErrorAndTheOthersSucceed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        IllegalArgumentException cFailed = new IllegalArgumentException("c is too large");
        GroupCommit<String, String> merger = new GroupCommit<>(10, 1, Function.identity(), items -> {
            calls.add(List.copyOf(items));
            if (calls.size() == 1) {
                awaitGate(gate);
            }
            return items.contains("c") ? Map.of("c", cFailed) : Map.of();
        });
        Future<?> first = submitAsync(merger, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);

        List<Future<?>> later = queueInOrder(merger, List.of("b", "c", "d"));
        gate.countDown();

        first.get(10, TimeUnit.SECONDS);
        later.get(0).get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> later.get(1).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isSameAs(cFailed);
        later.get(2).get(10, TimeUnit.SECONDS);
        assertThat(calls).containsExactly(List.of("first"), List.of("b", "c", "d"));
    }

    @Test
    void submit_whenTheWholeCallThrows_failsThatBatchOnlyAndLaterItemsStillGo() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        IllegalStateException down = new IllegalStateException("queue unreachable");
        AtomicInteger attempt = new AtomicInteger();
        GroupCommit<String, String> merger = new GroupCommit<>(2, 1, Function.identity(), items -> {
            calls.add(List.copyOf(items));
            if (attempt.incrementAndGet() == 1) {
                awaitGate(gate);
                throw down;
            }
            return Map.of();
        });
        Future<?> first = submitAsync(merger, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);
        List<Future<?>> later = queueInOrder(merger, List.of("b", "c"));

        gate.countDown();

        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).cause().isSameAs(down);
        awaitAll(later);
        assertThat(calls).containsExactly(List.of("first"), List.of("b", "c"));
    }

    @Test
    void submit_beyondTheBatchSize_splitsIntoFullCallsAndWritesEachItemOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<String, String> merger = new GroupCommit<>(3, 1, Function.identity(), recording(gate));
        Future<?> first = submitAsync(merger, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);

        List<Future<?>> later = queueInOrder(merger, List.of("1", "2", "3", "4", "5", "6", "7"));
        gate.countDown();
        awaitAll(later);
        first.get(10, TimeUnit.SECONDS);

        assertThat(calls).containsExactly(List.of("first"), List.of("1", "2", "3"), List.of("4", "5", "6"),
                List.of("7"));
    }

    @Test
    void submit_neverHasMoreCallsInFlightThanTheCap() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger items = new AtomicInteger();
        GroupCommit<String, String> merger = new GroupCommit<>(5, 2, Function.identity(), batch -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            awaitGate(gate);
            items.addAndGet(batch.size());
            inFlight.decrementAndGet();
            return Map.of();
        });
        List<Future<?>> submitted = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            submitted.add(submitAsync(merger, "item-" + i));
        }
        // Two calls hold the two slots; everyone else must be waiting, not calling.
        await().atMost(Duration.ofSeconds(10)).until(() -> merger.waiting() == 38);
        assertThat(inFlight).hasValue(2);

        gate.countDown();
        awaitAll(submitted);

        assertThat(peak).hasValue(2);
        assertThat(items).hasValue(40);
    }

    @Test
    void submit_fromManyCallersAtOnce_loseNothingAndMakeFewerCallsThanItems() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        GroupCommit<String, String> merger = new GroupCommit<>(10, 1, Function.identity(), batch -> {
            calls.add(List.copyOf(batch));
            written.addAll(batch);
            // A downstream round trip: long enough for the other callers to queue behind it.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            return Map.of();
        });
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> submitted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String item = "item-" + i;
            submitted.add(callers.submit(() -> {
                awaitGate(start);
                merger.submit(item);
            }));
        }

        start.countDown();
        awaitAll(submitted);

        assertThat(written).hasSize(50).doesNotHaveDuplicates();
        assertThat(calls.size()).isLessThan(50);
        assertThat(calls).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(10));
    }

    @Test
    void submit_whenInterruptedBeforeItsItemIsSent_withdrawsItAndReportsNothingWritten() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<String, String> merger = new GroupCommit<>(10, 1, Function.identity(), recording(gate));
        Future<?> first = submitAsync(merger, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() == 1);
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread impatient = new Thread(() -> {
            try {
                merger.submit("impatient");
            } catch (RuntimeException e) {
                thrown.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        impatient.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> merger.waiting() == 1);
        List<Future<?>> later = queueInOrder(merger, List.of("patient"));

        impatient.interrupt();
        impatient.join(10_000);
        gate.countDown();
        awaitAll(later);
        first.get(10, TimeUnit.SECONDS);

        assertThat(thrown.get()).isInstanceOf(GroupCommit.NotWrittenException.class);
        assertThat(stillInterrupted).isTrue();
        assertThat(calls).containsExactly(List.of("first"), List.of("patient"));
    }
}
