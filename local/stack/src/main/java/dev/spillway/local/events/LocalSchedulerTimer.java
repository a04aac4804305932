package dev.spillway.local.events;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.spillway.core.schedule.Scheduler;
import dev.spillway.core.schedule.SchedulerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * What the EventBridge rule does in AWS, on the local stack: a scheduler tick at startup and then every
 * {@code spillway.scheduler.local-interval}, one at a time (the next waits for the last to end). The backlog
 * gauges it updates are at {@code /q/metrics}.
 */
@ApplicationScoped
public class LocalSchedulerTimer {

    private static final Logger LOG = Logger.getLogger(LocalSchedulerTimer.class);

    private final Scheduler scheduler;
    private final SchedulerConfig config;
    private final Clock clock;
    private ScheduledExecutorService timer;

    public LocalSchedulerTimer(Scheduler scheduler, SchedulerConfig config, Clock clock) {
        this.scheduler = scheduler;
        this.config = config;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        long every = config.localInterval().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "spillway-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, every, TimeUnit.MILLISECONDS);
        LOG.infof("scheduler ticking every %s", config.localInterval());
    }

    /** Never throws: an exception would cancel every later tick. The scheduler already isolates its tasks. */
    private void tick() {
        try {
            scheduler.tick(clock.instant());
        } catch (RuntimeException e) {
            LOG.errorf(e, "scheduler tick failed");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
