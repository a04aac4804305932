package dev.spillway.core.schedule;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.spillway.core.metrics.SpillwayMetrics;

/**
 * One tick: runs every {@link ScheduledTask} bean in turn, by name. A task that throws is logged and counted as
 * failed, and the next one runs anyway; the tick itself never fails, so a bad task cannot starve the others (nor
 * make EventBridge retry the whole tick).
 */
@ApplicationScoped
public class Scheduler {

    private static final Logger LOG = Logger.getLogger(Scheduler.class);

    private final List<ScheduledTask> tasks;
    private final SpillwayMetrics metrics;

    @Inject
    public Scheduler(@Any Instance<ScheduledTask> tasks, SpillwayMetrics metrics) {
        this(tasks.stream().toList(), metrics);
    }

    public Scheduler(List<ScheduledTask> tasks, SpillwayMetrics metrics) {
        this.tasks = tasks.stream().sorted(Comparator.comparing(ScheduledTask::name)).toList();
        this.metrics = metrics;
    }

    public TickReport tick(Instant now) {
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (ScheduledTask task : tasks) {
            String outcome = run(task, now);
            outcomes.put(task.name(), outcome);
        }
        LOG.debugf("tick at %s: %s", now, outcomes);
        return new TickReport(now, outcomes);
    }

    private String run(ScheduledTask task, Instant now) {
        try {
            task.run(now);
            metrics.scheduledTask(task.name(), TickReport.OK);
            return TickReport.OK;
        } catch (RuntimeException e) {
            LOG.errorf(e, "scheduled task %s failed; the other tasks still run", task.name());
            metrics.scheduledTask(task.name(), "failed");
            return "failed: " + e;
        }
    }
}
