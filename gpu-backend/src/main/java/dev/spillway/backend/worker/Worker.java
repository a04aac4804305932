package dev.spillway.backend.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The polling loop. With a free slot it asks the tiers in priority order and takes from the first that has
 * work, so interactive work overtakes any standing batch backlog; a tier left unpolled for the starvation
 * limit is asked first (aging), so lower tiers keep progressing under sustained higher-tier load. When every
 * queue is empty it long-polls the interactive queue. On shutdown (SIGTERM) it stops polling, lets running jobs finish within the drain grace,
 * and hands back whatever is still running.
 */
@ApplicationScoped
public class Worker {

    private static final Logger LOG = Logger.getLogger(Worker.class);
    private static final List<Tier> PRIORITY = List.of(Tier.INTERACTIVE, Tier.STANDARD, Tier.BATCH);
    /** SQS returns at most 10 messages per receive. */
    private static final int MAX_MESSAGES_PER_RECEIVE = 10;
    /** Longest sleep of the poll loop while engines rest, so a drain is noticed quickly. */
    private static final Duration POLL_PAUSE = Duration.ofMillis(500);

    private final WorkQueue queue;
    private final JobRunner runner;
    private final EngineBreakers breakers;
    private final DeadLetterSweeper sweeper;
    private final WorkerConfig config;
    private final WorkerIdentity identity;

    private final Clock clock;
    private final Set<QueuedMessage> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<Tier, Instant> lastPolled = new ConcurrentHashMap<>();
    private Semaphore slots;
    private ExecutorService jobs;
    private ScheduledExecutorService timers;
    private Thread poller;
    private volatile boolean polling;

    public Worker(WorkQueue queue, JobRunner runner, EngineBreakers breakers, DeadLetterSweeper sweeper,
            WorkerConfig config, WorkerIdentity identity, Clock clock) {
        this.queue = queue;
        this.runner = runner;
        this.breakers = breakers;
        this.sweeper = sweeper;
        this.config = config;
        this.identity = identity;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    public synchronized void start() {
        if (polling) {
            return;
        }
        slots = new Semaphore(config.concurrency());
        jobs = Executors.newFixedThreadPool(config.concurrency(), named("spillway-job"));
        timers = Executors.newScheduledThreadPool(1, named("spillway-heartbeat"));
        timers.scheduleWithFixedDelay(this::sweepDeadLetters, 0, config.deadLetterSweepInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        Instant now = clock.instant();
        PRIORITY.forEach(tier -> lastPolled.put(tier, now));
        polling = true;
        poller = named("spillway-poller").newThread(this::pollLoop);
        poller.start();
        LOG.infof("worker %s polling %s with %d slots", identity.id(), PRIORITY, config.concurrency());
    }

    private void pollLoop() {
        while (polling) {
            try {
                Duration resting = breakers.rest();
                if (!resting.isZero()) {
                    // Every engine is known to be down: leave the jobs in the queue rather than fail them again.
                    pause(resting.compareTo(POLL_PAUSE) < 0 ? resting : POLL_PAUSE);
                    continue;
                }
                int free = acquireFreeSlots();
                if (free == 0) {
                    continue;
                }
                List<QueuedMessage> received = List.of();
                try {
                    received = receiveByPriority(free);
                } finally {
                    slots.release(free - received.size());
                }
                received.forEach(this::dispatch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("polling failed, backing off: %s", e.toString());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    /** Blocks until at least one slot is free (or polling stops), then takes the free slots one receive can fill. */
    private int acquireFreeSlots() throws InterruptedException {
        if (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            return 0;
        }
        int taken = 1 + slots.drainPermits();
        int kept = Math.min(taken, MAX_MESSAGES_PER_RECEIVE);
        slots.release(taken - kept);
        return kept;
    }

    private List<QueuedMessage> receiveByPriority(int max) {
        for (Tier tier : pollOrder(clock.instant())) {
            lastPolled.put(tier, clock.instant());
            List<QueuedMessage> received = queue.receive(tier, max, Duration.ZERO, config.visibilityTimeout());
            if (!received.isEmpty()) {
                return received;
            }
        }
        if (!polling) {
            return List.of();
        }
        return queue.receive(Tier.INTERACTIVE, max, config.pollWait(), config.visibilityTimeout());
    }

    /** Priority order, except that a tier not polled within the starvation limit goes first (aging). */
    List<Tier> pollOrder(Instant now) {
        List<Tier> order = new ArrayList<>(PRIORITY);
        Instant starvedBefore = now.minus(config.tierStarvationLimit());
        order.sort(Comparator.comparing(tier -> lastPolled.getOrDefault(tier, now).isBefore(starvedBefore) ? 0 : 1));
        return order;
    }

    private void dispatch(QueuedMessage message) {
        Duration resting = breakers.rest();
        if (!resting.isZero()) {
            // Received by a poll that began before the engines went to rest: hand it back unclaimed.
            try {
                queue.changeVisibility(message, resting);
            } finally {
                slots.release();
            }
            return;
        }
        inFlight.add(message);
        jobs.execute(() -> {
            try {
                runner.run(message, timers);
            } catch (RuntimeException e) {
                if (polling) {
                    LOG.errorf(e, "message %s left for redelivery", message.messageId());
                } else {
                    // Interrupted by the drain after its job was handed back.
                    LOG.debugf("message %s left for redelivery while draining: %s", message.messageId(), e.toString());
                }
            } finally {
                inFlight.remove(message);
                slots.release();
            }
        });
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

    /** Stops polling; waits up to the drain grace for running jobs, then releases what is left. */
    public synchronized void drain() {
        if (!polling) {
            return;
        }
        polling = false;
        try {
            poller.join(config.pollWait().plusSeconds(5).toMillis());
            jobs.shutdown();
            if (!jobs.awaitTermination(config.drainGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.infof("drain grace over: releasing %d running jobs to other workers", inFlight.size());
                for (QueuedMessage message : inFlight) {
                    try {
                        runner.releaseNow(message);
                    } catch (RuntimeException e) {
                        LOG.warnf("could not release %s; it returns after its visibility timeout: %s",
                                message.jobId(), e.toString());
                    }
                }
                jobs.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timers.shutdownNow();
        }
        LOG.infof("worker %s drained", identity.id());
    }

    /** Polling and its thread alive (the loop survives every error it can; this catches the rest). */
    public boolean isPolling() {
        return polling && poller != null && poller.isAlive();
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        var counter = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
