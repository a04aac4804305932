package dev.spillway.intake.direct;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.admission.CheckedRequest;
import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.metrics.SpillwayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The intake's direct lane: a request for a model with direct targets ({@code spillway.models.<model>.direct}) is
 * sent to the first target that has capacity and answers within the wait budget. When none does, the caller spills
 * the request to the queue: the self-hosted fleet is the last resort, and a busy upstream never reaches the client.
 * The client's body is forwarded as it came (only the model name changes when a target maps it), and nothing on the
 * way holds a thread while the upstream works.
 */
@ApplicationScoped
public class DirectLane {

    private static final Logger LOG = Logger.getLogger(DirectLane.class);

    /** Targets by the model name clients send, in order of preference. */
    private final Map<String, List<UpstreamTarget>> targetsByModel = new HashMap<>();
    private final Map<String, UpstreamTarget> targets = new HashMap<>();
    private final Vertx vertx;
    private final Clock clock;

    public DirectLane(UpstreamsConfig upstreams, ModelsConfig models, Vertx vertx, SpillwayMetrics metrics,
            Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
        // A misspelt target name fails startup rather than silently sending every request to the queue.
        models.served().forEach((model, config) -> config.direct().ifPresent(names -> names.stream()
                .filter(name -> !upstreams.targets().containsKey(name.strip()))
                .findFirst()
                .ifPresent(unknown -> {
                    throw new IllegalStateException("spillway.models of " + model + " lists direct target '" + unknown
                            + "', which no spillway.upstreams." + unknown + ".base-url defines");
                })));
        upstreams.targets().forEach((name, config) -> targets.put(name, new UpstreamTarget(name, config, vertx,
                metrics, clock)));
        models.served().forEach((model, config) -> config.direct().ifPresent(names -> {
            List<UpstreamTarget> ordered = new ArrayList<>();
            names.forEach(name -> ordered.add(targets.get(name.strip())));
            targetsByModel.put(model, List.copyOf(ordered));
        }));
    }

    /** Whether requests of this kind for this model may go direct: one of its targets serves the endpoint. */
    public boolean serves(String model, RequestKind kind) {
        return targetsByModel.getOrDefault(model, List.of()).stream().anyMatch(target -> target.serves(kind));
    }

    /** The model's targets that serve the endpoint of {@code kind}, in order of preference. */
    private List<UpstreamTarget> candidates(String model, RequestKind kind) {
        return targetsByModel.getOrDefault(model, List.of()).stream().filter(target -> target.serves(kind)).toList();
    }

    /**
     * Tries the model's targets in order within {@code budget}, without blocking the calling thread.
     *
     * @return the first answer, or empty when every target was full, open, failing or too slow: spill
     */
    public CompletionStage<Optional<DirectAnswer>> serve(CheckedRequest checked, Duration budget) {
        String model = checked.request().model();
        RequestKind kind = checked.request().kind();
        Instant deadline = clock.instant().plus(budget);
        List<UpstreamTarget> candidates = candidates(model, kind);
        if (Context.isOnEventLoopThread()) {
            return tryFrom(candidates, 0, kind, checked.source().body(), model, deadline);
        }
        // Started on a worker thread (a blocking resource), the targets' guards would hand each step to another
        // worker thread; on an event loop the whole lane runs where the upstream's answer arrives.
        CompletableFuture<Optional<DirectAnswer>> served = new CompletableFuture<>();
        eventLoop().runOnContext(ignored -> tryFrom(candidates, 0, kind, checked.source().body(), model, deadline)
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        served.completeExceptionally(failure);
                    } else {
                        served.complete(answer);
                    }
                }));
        return served;
    }

    /**
     * Like {@link #serve}, for a request that asks to stream: the first target whose answer begins within
     * {@code budget} streams it to the client as it comes.
     *
     * @param onAssembled receives the whole answer once a stream completed (to cache it); null to keep nothing
     */
    public CompletionStage<Optional<DirectAnswer>> stream(CheckedRequest checked, Duration budget,
            Consumer<ChatCompletion> onAssembled) {
        String model = checked.request().model();
        RequestKind kind = checked.request().kind();
        Instant deadline = clock.instant().plus(budget);
        List<UpstreamTarget> candidates = candidates(model, kind);
        CompletableFuture<Optional<DirectAnswer>> served = new CompletableFuture<>();
        Runnable start = () -> streamFrom(candidates, 0, kind, checked.source().body(), model, deadline, onAssembled)
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        served.completeExceptionally(failure);
                    } else {
                        served.complete(answer);
                    }
                });
        if (Context.isOnEventLoopThread()) {
            start.run();
        } else {
            eventLoop().runOnContext(ignored -> start.run());
        }
        return served;
    }

    private CompletionStage<Optional<DirectAnswer>> streamFrom(List<UpstreamTarget> candidates, int index,
            RequestKind kind, byte[] body, String model, Instant deadline, Consumer<ChatCompletion> onAssembled) {
        if (index == candidates.size() || !clock.instant().isBefore(deadline)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        UpstreamTarget target = candidates.get(index);
        return target.openStream(kind, body, deadline)
                .thenApply(events -> Optional.of(DirectAnswer.streamed(target.name(),
                        StreamRelay.relay(events, model, onAssembled))))
                .exceptionallyCompose(failure -> {
                    LOG.debugf("direct target %s did not begin a stream: %s", target.name(), failure);
                    return streamFrom(candidates, index + 1, kind, body, model, deadline, onAssembled);
                });
    }

    /** The event loop of the request being served, if any: its answer is written from there. */
    private Context eventLoop() {
        Context current = Vertx.currentContext();
        return current != null && current.isEventLoopContext() ? current : vertx.getOrCreateContext();
    }

    private CompletionStage<Optional<DirectAnswer>> tryFrom(List<UpstreamTarget> candidates, int index,
            RequestKind kind, byte[] body, String model, Instant deadline) {
        if (index == candidates.size() || !clock.instant().isBefore(deadline)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        UpstreamTarget target = candidates.get(index);
        return target.forward(kind, body, model, deadline)
                .thenApply(answer -> Optional.of(new DirectAnswer(target.name(), answer)))
                .exceptionallyCompose(failure -> {
                    LOG.debugf("direct target %s did not answer: %s", target.name(), failure);
                    return tryFrom(candidates, index + 1, kind, body, model, deadline);
                });
    }

    @PreDestroy
    void close() {
        targets.values().forEach(UpstreamTarget::close);
    }
}
