package dev.spillway.functions.events.scheduler;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.schedule.ScheduledTask;
import io.quarkus.arc.lookup.LookupIfProperty;

/**
 * A task that always fails. The scheduler finds it only where {@code spillway.test.broken-task=true}, so other
 * tests of this module never tick it.
 */
@LookupIfProperty(name = "spillway.test.broken-task", stringValue = "true")
@ApplicationScoped
public class BrokenTask implements ScheduledTask {

    static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public String name() {
        return "broken";
    }

    @Override
    public void run(Instant now) {
        RUNS.incrementAndGet();
        throw new IllegalStateException("broken on purpose");
    }
}
