package dev.spillway.core.schedule.backlog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Reads the depth of each fleet's tier queues and publishes it as that fleet's autoscaling signal through every
 * {@link BacklogSignal}: each fleet scales on its own backlog.
 */
@ApplicationScoped
public class BacklogTask implements ScheduledTask {

    private final WorkQueue queue;
    private final Fleets fleets;
    private final List<BacklogSignal> signals;
    private final RunningWorkers runningWorkers;

    @Inject
    public BacklogTask(WorkQueue queue, Fleets fleets, @Any Instance<BacklogSignal> signals,
            RunningWorkers runningWorkers) {
        this(queue, fleets, signals.stream().toList(), runningWorkers);
    }

    /** @param runningWorkers counted anew on every tick */
    public BacklogTask(WorkQueue queue, Fleets fleets, List<BacklogSignal> signals, RunningWorkers runningWorkers) {
        this.queue = queue;
        this.fleets = fleets;
        this.signals = List.copyOf(signals);
        this.runningWorkers = runningWorkers;
    }

    @Override
    public String name() {
        return "backlog";
    }

    /** Every queue is read before anything is published, so one tick's figures go out together or not at all. */
    @Override
    public void run(Instant now) {
        List<Backlog> backlogs = new ArrayList<>();
        for (String fleet : fleets.names()) {
            OptionalInt workers = runningWorkers.count(fleet);
            Integer running = workers.isPresent() ? workers.getAsInt() : null;
            for (Tier tier : Tier.values()) {
                backlogs.add(Backlog.of(queue.depth(fleet, tier), running));
            }
        }
        for (BacklogSignal signal : signals) {
            backlogs.forEach(signal::publish);
        }
    }
}
