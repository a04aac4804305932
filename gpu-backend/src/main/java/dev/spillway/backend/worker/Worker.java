package dev.spillway.backend.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.spillway.core.config.EtaConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.fault.RetryBackoff;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The polling loop. It reads only the queues of the fleets that carry the models it serves ({@link Fleets}), so it
 * is never handed a job it has no engine for. With a free slot it asks the tiers in priority order (each tier of
 * every such fleet before the next tier) and takes from the first queue that has work, so interactive work overtakes
 * any standing batch backlog; a queue left unpolled for the starvation limit is asked first (aging), so lower tiers
 * keep progressing under sustained higher-tier load. When every
 * queue is empty it long-polls the first fleet's interactive queue, each wait twice the last (from 1 s up to
 * {@code poll-wait}),
 * so an idle worker costs next to nothing. On shutdown (SIGTERM) it stops polling, lets running jobs finish within
 * the drain grace, and hands back whatever is still running.
 */
@ApplicationScoped
public class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);
    /** SQS returns at most 10 messages per receive. */
    private static final int MAX_MESSAGES_PER_RECEIVE = 10;
    private static final Duration FIRST_POLL_WAIT = Duration.ofSeconds(1);
    /** After a failed poll (the queue unreachable): 1 s, doubling to 30 s while polls keep failing. */
    private static final RetryBackoff POLL_FAILURE_BACKOFF = new RetryBackoff(Duration.ofSeconds(1),
            Duration.ofSeconds(30));

    private final WorkQueue queue;
    private final JobRunner runner;
    private final EngineBreakers breakers;
    private final DeadLetterSweeper sweeper;
    private final WorkerConfig config;
    private final WorkerIdentity identity;
    private final Clock clock;
    private final ScaleInProtection protection;
    private final DrainMeter drainMeter;
    private final Duration drainReportInterval;
    /** Long-poll waits while the queues stay empty. */
    private final RetryBackoff idleBackoff;
    /** The queues it reads, highest tier first. */
    private final List<PolledQueue> priority;
    private final Map<PolledQueue, Instant> lastPolled = new ConcurrentHashMap<>();
    /** The current start-to-drain span; null while stopped. */
    private volatile Run run;

    /** One tier queue of one fleet. */
    record PolledQueue(String fleet, Tier tier) {
        @Override
        public String toString() {
            return fleet + "/" + tier.wireName();
        }
    }

    public Worker(WorkQueue queue, Fleets fleets, ModelsConfig models, JobRunner runner, EngineBreakers breakers,
            DeadLetterSweeper sweeper, WorkerConfig config, WorkerIdentity identity, Clock clock,
            ScaleInProtection protection, DrainMeter drainMeter, EtaConfig eta) {
        this.queue = queue;
        this.drainMeter = drainMeter;
        this.drainReportInterval = eta.reportInterval();
        this.priority = priority(fleets.serving(models.served().keySet()), tiers(config.tiers()));
        this.runner = runner;
        this.breakers = breakers;
        this.sweeper = sweeper;
        this.config = config;
        this.identity = identity;
        this.clock = clock;
        this.protection = protection;
        this.idleBackoff = new RetryBackoff(
                FIRST_POLL_WAIT.compareTo(config.pollWait()) < 0 ? FIRST_POLL_WAIT : config.pollWait(),
                config.pollWait());
    }

    /**
     * One span from {@link #start} to {@link #drain}: its slots, threads and poller. A receive still waiting when
     * its run is drained cannot be called back; what it returns is handed back to the queue, never run, so a
     * restarted worker's poller is the only one that runs jobs.
     */
    private final class Run {
        final Semaphore slots = new Semaphore(config.concurrency());
        final ExecutorService jobs = Executors.newFixedThreadPool(config.concurrency(), named("spillway-job"));
        final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, named("spillway-heartbeat"));
        final Set<QueuedMessage> inFlight = ConcurrentHashMap.newKeySet();
        final Thread poller = named("spillway-poller").newThread(() -> pollLoop(this));
        private final CountDownLatch stopped = new CountDownLatch(1);

        boolean polling() {
            return stopped.getCount() > 0;
        }

        void stop() {
            stopped.countDown();
        }

        /** Waits out {@code duration}, or less when the run is drained meanwhile. */
        void pause(Duration duration) throws InterruptedException {
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    public synchronized void start() {
        if (run != null) {
            return;
        }
        Run started = new Run();
        started.timers.scheduleWithFixedDelay(this::sweepDeadLetters, 0, config.deadLetterSweepInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        // From the start: a running worker with nothing to do yet still tells the intake its fleet is not at zero.
        started.timers.scheduleWithFixedDelay(drainMeter::publish, 0, drainReportInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        Instant now = clock.instant();
        priority.forEach(polled -> lastPolled.put(polled, now));
        run = started;
        started.poller.start();
        LOG.infof("worker %s polling %s with %d slots", identity.id(), priority, config.concurrency());
    }

    private void pollLoop(Run current) {
        int emptyRounds = 0;
        int failedPolls = 0;
        while (current.polling()) {
            try {
                Duration resting = breakers.rest();
                if (!resting.isZero()) {
                    // Every engine is known to be down: leave the jobs in the queue rather than fail them again.
                    current.pause(resting);
                    continue;
                }
                int free = acquireFreeSlots(current);
                if (free == 0) {
                    continue;
                }
                List<QueuedMessage> received = List.of();
                try {
                    received = receiveByPriority(current, free, emptyRounds + 1);
                } finally {
                    current.slots.release(free - received.size());
                }
                emptyRounds = received.isEmpty() ? emptyRounds + 1 : 0;
                failedPolls = 0;
                received.forEach(message -> dispatch(current, message));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failedPolls++;
                LOG.warnf("polling failed, backing off: %s", e.toString());
                try {
                    current.pause(POLL_FAILURE_BACKOFF.delay(failedPolls));
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Blocks until at least one slot is free (or polling stops), then takes the free slots one receive can fill. */
    private static int acquireFreeSlots(Run current) throws InterruptedException {
        if (!current.slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            return 0;
        }
        int taken = 1 + current.slots.drainPermits();
        int kept = Math.min(taken, MAX_MESSAGES_PER_RECEIVE);
        current.slots.release(taken - kept);
        return kept;
    }

    /** @param idleRound how many rounds in a row, this one included, found every queue empty so far */
    private List<QueuedMessage> receiveByPriority(Run current, int max, int idleRound) {
        for (PolledQueue polled : pollOrder(clock.instant())) {
            lastPolled.put(polled, clock.instant());
            List<QueuedMessage> received = queue.receive(polled.fleet(), polled.tier(), max, Duration.ZERO,
                    config.visibilityTimeout());
            if (!received.isEmpty()) {
                return received;
            }
        }
        if (!current.polling()) {
            return List.of();
        }
        PolledQueue first = priority.get(0);
        return queue.receive(first.fleet(), first.tier(), max, idleBackoff.ceiling(idleRound),
                config.visibilityTimeout());
    }

    /** Priority order, except that a queue not polled within the starvation limit goes first (aging). */
    List<PolledQueue> pollOrder(Instant now) {
        List<PolledQueue> order = new ArrayList<>(priority);
        Instant starvedBefore = now.minus(config.tierStarvationLimit());
        order.sort(Comparator.comparing(polled -> lastPolled.getOrDefault(polled, now).isBefore(starvedBefore) ? 0 : 1));
        return order;
    }

    private static List<PolledQueue> priority(Set<String> fleets, Set<Tier> tiers) {
        List<PolledQueue> order = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            if (tiers.contains(tier)) {
                fleets.forEach(fleet -> order.add(new PolledQueue(fleet, tier)));
            }
        }
        return List.copyOf(order);
    }

    /** @throws IllegalArgumentException at startup for an unknown tier or none at all */
    static Set<Tier> tiers(List<String> names) {
        Set<Tier> tiers = EnumSet.noneOf(Tier.class);
        for (String name : names) {
            try {
                tiers.add(Tier.fromWire(name.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("spillway.worker.tiers: '" + name + "' is not one of interactive, "
                        + "standard, batch", e);
            }
        }
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("spillway.worker.tiers names no tier");
        }
        return tiers;
    }

    private void dispatch(Run current, QueuedMessage message) {
        Duration resting = breakers.rest();
        if (!current.polling() || !resting.isZero()) {
            // Received by a poll that began before the drain, or before the engines went to rest: hand it back.
            handBack(current, message, resting);
            return;
        }
        current.inFlight.add(message);
        protection.jobsHeld(current.inFlight.size());
        try {
            current.jobs.execute(() -> {
                try {
                    runner.run(message, current.timers);
                } catch (RuntimeException e) {
                    if (current.polling()) {
                        LOG.errorf(e, "message %s left for redelivery", message.messageId());
                    } else {
                        // Interrupted by the drain after its job was handed back.
                        LOG.debugf("message %s left for redelivery while draining: %s", message.messageId(),
                                e.toString());
                    }
                } finally {
                    current.inFlight.remove(message);
                    protection.jobsHeld(current.inFlight.size());
                    current.slots.release();
                }
            });
        } catch (RejectedExecutionException drained) {
            current.inFlight.remove(message);
            protection.jobsHeld(current.inFlight.size());
            handBack(current, message, Duration.ZERO);
        }
    }

    /** Unclaimed, visible again after {@code delay}, and its slot freed. */
    private void handBack(Run current, QueuedMessage message, Duration delay) {
        try {
            queue.changeVisibility(message, delay);
        } finally {
            current.slots.release();
        }
    }

    private void sweepDeadLetters() {
        try {
            sweeper.sweep();
        } catch (RuntimeException e) {
            LOG.debugf("dead-letter sweep failed: %s", e.toString());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        drain();
    }

    /**
     * Stops polling; waits up to the drain grace for running jobs, then releases what is left. A long poll still
     * waiting is not waited for: what it receives later is handed back (or, if the process is gone by then,
     * reappears after the visibility timeout, as after a crash).
     */
    public synchronized void drain() {
        Run draining = run;
        if (draining == null) {
            return;
        }
        run = null;
        draining.stop();
        try {
            draining.jobs.shutdown();
            if (!draining.jobs.awaitTermination(config.drainGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.infof("drain grace over: releasing %d running jobs to other workers", draining.inFlight.size());
                for (QueuedMessage message : draining.inFlight) {
                    try {
                        runner.releaseNow(message);
                    } catch (RuntimeException e) {
                        LOG.warnf("could not release %s; it returns after its visibility timeout: %s",
                                message.jobId(), e.toString());
                    }
                }
                draining.jobs.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            draining.timers.shutdownNow();
            drainMeter.withdraw();
        }
        LOG.infof("worker %s drained", identity.id());
    }

    /** Polling and its thread alive (the loop survives every error it can; this catches the rest). */
    public boolean isPolling() {
        Run current = run;
        return current != null && current.poller.isAlive();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
