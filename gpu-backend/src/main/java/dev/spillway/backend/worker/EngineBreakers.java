package dev.spillway.backend.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import dev.spillway.backend.engine.Generation;
import dev.spillway.core.upstream.UpstreamException;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One named circuit breaker per model's engine ({@code engine-<model>}): an engine that keeps being unreachable
 * (a vLLM restarting, an upstream down) is left alone for {@code spillway.worker.engine-breaker.delay}. While every
 * engine this worker has used rests, the worker stops receiving, so queued jobs wait in the queue instead of each
 * burning a delivery (and eventually a dead letter) against an engine known to be down.
 */
@ApplicationScoped
public class EngineBreakers {

    private static final Logger LOG = Logger.getLogger(EngineBreakers.class);
    private static final Set<String> ENGINE_DOWN = Set.of("upstream_unavailable", "upstream_timeout");

    private final WorkerConfig.EngineBreaker config;
    private final CircuitBreakerMaintenance maintenance;
    private final Clock clock;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, Instant> restingUntil = new ConcurrentHashMap<>();

    public EngineBreakers(WorkerConfig config, CircuitBreakerMaintenance maintenance, Clock clock) {
        this.config = config.engineBreaker();
        this.maintenance = maintenance;
        this.clock = clock;
    }

    /**
     * Runs one engine call through the model's breaker. Only retryable engine failures count against it: a
     * request the engine refuses is the engine working.
     *
     * @throws CircuitBreakerOpenException when the engine rests; the job should wait for the breaker's delay
     */
    public Generation call(String model, Callable<Generation> generation) throws Exception {
        try {
            return guard(model).call(generation, Generation.class);
        } catch (CircuitBreakerOpenException open) {
            restIfOpen(model); // half-open refuses calls too while its trial runs: that is no reason to rest
            throw open;
        } catch (UpstreamException e) {
            if (e.retryable()) {
                restIfOpen(model);
            }
            throw e;
        }
    }

    /** How long to hold off receiving: until the first engine wakes, while every engine used so far rests. */
    public Duration rest() {
        if (guards.isEmpty()) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        Instant firstAwake = null;
        for (String model : guards.keySet()) {
            Instant until = restingUntil.get(model);
            if (until == null || !until.isAfter(now)) {
                return Duration.ZERO;
            }
            firstAwake = firstAwake == null || until.isBefore(firstAwake) ? until : firstAwake;
        }
        return Duration.between(now, firstAwake);
    }

    public Duration delay() {
        return config.delay();
    }

    private void restIfOpen(String model) {
        if (maintenance.currentState(name(model)) != CircuitBreakerState.OPEN) {
            return;
        }
        Instant until = clock.instant().plus(config.delay());
        if (restingUntil.put(model, until) == null) {
            LOG.warnf("the engine of model %s keeps failing: resting it for %ss", model, config.delay().toSeconds());
        }
    }

    private Guard guard(String model) {
        return guards.computeIfAbsent(model, m -> Guard.create()
                .withDescription(name(m))
                .withCircuitBreaker()
                .name(name(m))
                .requestVolumeThreshold(config.window())
                .failureRatio(config.failureRatio())
                .delay(config.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(EngineBreakers::isEngineDown)
                .done()
                .build());
    }

    /**
     * Only an engine that cannot be reached or does not answer counts. Overload (429, 503) is back-pressure that
     * the adaptive limit and {@code Retry-After} handle, and a broken body is one bad call: resting the whole
     * worker for either would turn a busy upstream into an idle fleet.
     */
    static boolean isEngineDown(Throwable failure) {
        return failure instanceof UpstreamException e && e.retryable() && ENGINE_DOWN.contains(e.code());
    }

    private static String name(String model) {
        return "engine-" + model;
    }
}
