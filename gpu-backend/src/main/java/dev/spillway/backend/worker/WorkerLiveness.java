package dev.spillway.backend.worker;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** {@code /q/health/live}: down when the poller died, so ECS replaces the task instead of leaving it idle. */
@Liveness
@ApplicationScoped
public class WorkerLiveness implements HealthCheck {

    private final Worker worker;
    private final WorkerConfig config;

    public WorkerLiveness(Worker worker, WorkerConfig config) {
        this.worker = worker;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean alive = !config.enabled() || worker.isPolling();
        return HealthCheckResponse.named("worker-poller").status(alive).withData("polling", worker.isPolling()).build();
    }
}
