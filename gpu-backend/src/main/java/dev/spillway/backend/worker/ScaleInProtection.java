package dev.spillway.backend.worker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * ECS task scale-in protection while this worker holds jobs: when the fleet scales in, ECS stops an idle task, not
 * one in the middle of a generation (whose job would otherwise wait out its lease before another worker retries
 * it). Set through the ECS agent's task protection endpoint ({@code $ECS_AGENT_URI/task-protection/v1/state}),
 * renewed while jobs are held, cleared once none are. Best effort: a failed call is logged and tried again on the
 * next change or renewal; it never holds up a job. Off outside ECS.
 */
@ApplicationScoped
public class ScaleInProtection {

    private static final Logger LOG = Logger.getLogger(ScaleInProtection.class);
    private static final String PATH = "/task-protection/v1/state";

    private final Optional<URI> endpoint;
    private final Duration expiresIn;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** One thread applies every change in order, off the poll loop. */
    private final ScheduledExecutorService calls = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "scale-in-protection");
        thread.setDaemon(true);
        return thread;
    });

    /** What ECS was last told, on the calls thread only. */
    private boolean protectedNow;
    private Instant protectedUntil = Instant.EPOCH;
    private volatile int held;

    @Inject
    public ScaleInProtection(WorkerConfig config, Clock clock) {
        this(config.scaleInProtection() ? agentUri(config) : Optional.empty(), config.scaleInProtectionExpiry(), clock);
    }

    /** @param agent the ECS agent's URI ({@code ECS_AGENT_URI}); empty turns protection off */
    ScaleInProtection(Optional<URI> agent, Duration expiresIn, Clock clock) {
        this.endpoint = agent.map(ScaleInProtection::stateUri);
        this.expiresIn = expiresIn;
        this.clock = clock;
        endpoint.ifPresent(uri -> {
            long renewal = Math.max(1, expiresIn.toSeconds() / 3);
            calls.scheduleWithFixedDelay(this::applySafely, renewal, renewal, TimeUnit.SECONDS);
        });
    }

    private static Optional<URI> agentUri(WorkerConfig config) {
        if (config.ecsAgentUri().isEmpty()) {
            LOG.warn("spillway.worker.scale-in-protection is on but ECS_AGENT_URI is not set: not running on ECS, "
                    + "so no task protection");
        }
        return config.ecsAgentUri();
    }

    private static URI stateUri(URI agent) {
        String base = agent.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
    }

    /** The number of jobs this worker holds now; protection follows it. */
    public void jobsHeld(int count) {
        held = count;
        if (endpoint.isPresent()) {
            calls.execute(this::applySafely);
        }
    }

    /** A failure must not end the renewals: the scheduler drops a periodic task that throws. */
    private void applySafely() {
        try {
            apply();
        } catch (RuntimeException e) {
            LOG.warnf(e, "task protection not updated");
        }
    }

    private void apply() {
        boolean wanted = held > 0;
        // Renew well before expiry: a task whose protection lapsed mid-job could be the one scaled in.
        boolean renewalDue = wanted && clock.instant().isAfter(protectedUntil.minus(expiresIn.dividedBy(2)));
        if (wanted == protectedNow && !renewalDue) {
            return;
        }
        String body = wanted
                ? "{\"ProtectionEnabled\":true,\"ExpiresInMinutes\":" + Math.max(1, expiresIn.toMinutes()) + "}"
                : "{\"ProtectionEnabled\":false}";
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.get())
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                LOG.warnf("task protection not %s: the ECS agent answered %d %s", wanted ? "set" : "cleared",
                        response.statusCode(), response.body());
                return;
            }
            protectedNow = wanted;
            protectedUntil = wanted ? clock.instant().plus(expiresIn) : Instant.EPOCH;
            LOG.debugf("task protection %s", wanted ? "set" : "cleared");
        } catch (Exception e) {
            LOG.warnf("task protection not %s: %s", wanted ? "set" : "cleared", e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @PreDestroy
    void close() {
        calls.shutdownNow();
    }
}
