package dev.spillway.core.schedule.backlog;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.metrics.SpillwayMetrics;

/**
 * The signal as Micrometer gauges, which Prometheus reads at {@code /q/metrics} where the app exposes it (the local
 * stack): {@code spillway_queue_backlog{fleet,tier}}, {@code spillway_queue_backlog_inflight{fleet,tier}} and
 * {@code spillway_queue_backlog_per_worker{fleet,tier}}.
 */
@ApplicationScoped
public class GaugeBacklogSignal implements BacklogSignal {

    private final SpillwayMetrics metrics;

    public GaugeBacklogSignal(SpillwayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void publish(Backlog backlog) {
        metrics.backlog(backlog.fleet(), backlog.tier(), backlog.visible(), backlog.inFlight(), backlog.perWorker());
    }
}
