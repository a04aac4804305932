package dev.spillway.functions.events.scheduler;

import java.time.Clock;

import jakarta.inject.Named;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.spillway.core.schedule.Scheduler;
import dev.spillway.core.schedule.TickReport;

/**
 * The EventBridge schedule (every minute): one scheduler tick. The tasks judge time by the clock, not by the event's
 * {@code time}, since a tick may be delivered late or twice. Failed tasks are in the report and in the metrics; the
 * invocation itself succeeds, so EventBridge does not retry the tasks that went well.
 */
@Named("scheduler")
public class SchedulerHandler implements RequestHandler<ScheduledEvent, TickReport> {

    private static final Logger LOG = Logger.getLogger(SchedulerHandler.class);

    private final Scheduler scheduler;
    private final Clock clock;

    public SchedulerHandler(Scheduler scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public TickReport handleRequest(ScheduledEvent event, Context context) {
        LOG.debugf("tick %s scheduled for %s", event == null ? null : event.getId(),
                event == null ? null : event.getTime());
        return scheduler.tick(clock.instant());
    }
}
