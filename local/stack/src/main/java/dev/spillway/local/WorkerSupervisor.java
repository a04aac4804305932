package dev.spillway.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * Keeps one worker process running, as ECS keeps a service's desired task count: a worker that exits while the
 * stack is not stopping is replaced after a back-off. Closing it stops supervising first, then drains the worker.
 */
final class WorkerSupervisor implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkerSupervisor.class);

    private final Supplier<WorkerProcess> starter;
    private final RestartBackoff backoff;
    private final Clock clock;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread watcher;
    private WorkerProcess current;
    private Instant startedAt;
    private int restarts;

    private WorkerSupervisor(Supplier<WorkerProcess> starter, RestartBackoff backoff, Clock clock) {
        this.starter = starter;
        this.backoff = backoff;
        this.clock = clock;
        this.watcher = new Thread(this::watch, "spillway-worker-supervisor");
        this.watcher.setDaemon(true);
    }

    /** Starts the first worker (a failure to start it fails the caller) and watches it. */
    static WorkerSupervisor start(Supplier<WorkerProcess> starter, RestartBackoff backoff, Clock clock) {
        WorkerSupervisor supervisor = new WorkerSupervisor(starter, backoff, clock);
        supervisor.current = starter.get();
        supervisor.startedAt = clock.instant();
        supervisor.watcher.start();
        return supervisor;
    }

    /** The running worker's process id (after a restart, the new one's). */
    synchronized long pid() {
        return current.pid();
    }

    /** Whether its worker process is alive (not while one that died waits out its back-off). */
    synchronized boolean isRunning() {
        return current.isAlive();
    }

    /** Workers started to replace one that died. */
    synchronized int restarts() {
        return restarts;
    }

    private void watch() {
        while (!isStopping()) {
            WorkerProcess worker;
            synchronized (this) {
                worker = current;
            }
            int exitCode;
            try {
                exitCode = worker.awaitExit();
            } catch (InterruptedException e) {
                return;
            }
            if (isStopping()) {
                return;
            }
            Duration delay = backoff.afterExit(Duration.between(startedAt, clock.instant()));
            LOG.warnf("worker (pid %d) exited unexpectedly with code %d; starting a new one in %d ms", worker.pid(),
                    exitCode, delay.toMillis());
            try {
                if (stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            replace();
        }
    }

    private synchronized void replace() {
        if (isStopping()) {
            return;
        }
        try {
            current = starter.get();
            startedAt = clock.instant();
            restarts++;
            LOG.infof("new worker started: worker pid %d", current.pid());
        } catch (RuntimeException e) {
            // Counts as an immediate exit: the next round waits a longer back-off and tries again.
            LOG.errorf(e, "could not start a new worker");
            startedAt = clock.instant();
        }
    }

    private boolean isStopping() {
        return stopping.getCount() == 0;
    }

    /** No more restarts; then the worker drains (SIGTERM) as on Ctrl-C. */
    @Override
    public void close() {
        WorkerProcess last;
        synchronized (this) {
            stopping.countDown();
            last = current;
        }
        watcher.interrupt();
        last.close();
    }
}
