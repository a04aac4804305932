package dev.spillway.core.schedule.backlog;

/**
 * Where the backlog signal goes: the port between the backlog task and the metrics systems that scale the fleet
 * (CloudWatch in AWS) or show it (Prometheus on the local stack). Every bean of this type receives each tick's
 * figures.
 */
public interface BacklogSignal {

    void publish(Backlog backlog);
}
