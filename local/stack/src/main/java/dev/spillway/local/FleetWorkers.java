package dev.spillway.local;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * One fleet's supervised worker processes, as an ECS service keeps its tasks: {@code base} of them always, up to
 * {@code maximum} while pre-scaling holds the fleet's minimum above that. Raising the minimum starts processes at once;
 * lowering it drains the newest first.
 */
final class FleetWorkers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetWorkers.class);

    private final String fleet;
    private final Supplier<WorkerSupervisor> starter;
    private final int base;
    private final int maximum;
    private final List<WorkerSupervisor> workers = new ArrayList<>();
    private boolean closed;

    /**
     * @param starter starts one supervised worker process of this fleet
     * @param base    workers kept whatever the forecast ({@code SPILLWAY_WORKERS})
     * @param maximum most workers pre-scaling may keep ({@code SPILLWAY_MAX_WORKERS}); at least {@code base}
     */
    FleetWorkers(String fleet, Supplier<WorkerSupervisor> starter, int base, int maximum) {
        if (base < 1 || maximum < base) {
            throw new IllegalArgumentException("1 <= base <= maximum workers, got " + base + " and " + maximum);
        }
        this.fleet = fleet;
        this.starter = starter;
        this.base = base;
        this.maximum = maximum;
    }

    /** Starts the base workers; a failure to start one fails the caller. */
    synchronized FleetWorkers start() {
        resize(base);
        return this;
    }

    int base() {
        return base;
    }

    int maximum() {
        return maximum;
    }

    /** Keeps {@code tasks} workers, within the base and the maximum; returns how many it keeps. */
    synchronized int setMinimum(int tasks) {
        int wanted = Math.max(base, Math.min(maximum, tasks));
        if (wanted != workers.size() && !closed) {
            LOG.infof("fleet %s: %d worker processes (was %d)", fleet, wanted, workers.size());
            resize(wanted);
        }
        return workers.size();
    }

    private void resize(int wanted) {
        while (workers.size() < wanted) {
            workers.add(starter.get());
        }
        while (workers.size() > wanted) {
            workers.remove(workers.size() - 1).close();
        }
    }

    /** Supervised workers of the fleet (one waiting out a restart back-off counts). */
    synchronized int size() {
        return workers.size();
    }

    /** Worker processes of the fleet alive now (one being restarted after a crash does not count). */
    synchronized int running() {
        return (int) workers.stream().filter(WorkerSupervisor::isRunning).count();
    }

    synchronized List<Long> pids() {
        return workers.stream().map(WorkerSupervisor::pid).toList();
    }

    /** Drains every worker at once, as on Ctrl-C. */
    @Override
    public void close() {
        List<WorkerSupervisor> draining;
        synchronized (this) {
            closed = true;
            draining = new ArrayList<>(workers);
            workers.clear();
        }
        draining.parallelStream().forEach(WorkerSupervisor::close);
    }
}
