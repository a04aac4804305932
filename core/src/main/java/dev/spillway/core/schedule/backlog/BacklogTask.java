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
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Reads each tier queue's depth and publishes it as the fleet's autoscaling signal through every
 * {@link BacklogSignal}.
 */
@ApplicationScoped
public class BacklogTask implements ScheduledTask {

    private final WorkQueue queue;
    private final List<BacklogSignal> signals;
    private final RunningWorkers runningWorkers;

    @Inject
    public BacklogTask(WorkQueue queue, @Any Instance<BacklogSignal> signals, RunningWorkers runningWorkers) {
        this(queue, signals.stream().toList(), runningWorkers);
    }

    /** @param runningWorkers counted anew on every tick */
    public BacklogTask(WorkQueue queue, List<BacklogSignal> signals, RunningWorkers runningWorkers) {
        this.queue = queue;
        this.signals = List.copyOf(signals);
        this.runningWorkers = runningWorkers;
    }

    @Override
    public String name() {
        return "backlog";
    }

    /** Every tier is read before anything is published, so one tick's figures go out together or not at all. */
    @Override
    public void run(Instant now) {
        OptionalInt workers = runningWorkers.count();
        Integer running = workers.isPresent() ? workers.getAsInt() : null;
        List<Backlog> backlogs = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            backlogs.add(Backlog.of(queue.depth(tier), running));
        }
        for (BacklogSignal signal : signals) {
            backlogs.forEach(signal::publish);
        }
    }
}
