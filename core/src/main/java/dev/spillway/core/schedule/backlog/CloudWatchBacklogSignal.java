package dev.spillway.core.schedule.backlog;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.metrics.EmbeddedMetrics;

/**
 * The signal as CloudWatch metrics in Embedded Metric Format on stdout: no API call, CloudWatch Logs extracts
 * {@code Backlog}, {@code BacklogInFlight} (and {@code BacklogPerWorker}) with dimensions {@code Fleet} and {@code Tier} in the
 * {@code spillway.metrics.emf.namespace}. Writes nothing unless {@code spillway.metrics.emf.enabled}.
 */
@ApplicationScoped
public class CloudWatchBacklogSignal implements BacklogSignal {

    private final EmbeddedMetrics emf;

    public CloudWatchBacklogSignal(EmbeddedMetrics emf) {
        this.emf = emf;
    }

    @Override
    public void publish(Backlog backlog) {
        emf.backlog(backlog.fleet(), backlog.tier().wireName(), backlog.visible(), backlog.inFlight(), backlog.perWorker());
    }
}
