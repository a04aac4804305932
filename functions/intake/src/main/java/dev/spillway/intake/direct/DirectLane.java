package dev.spillway.intake.direct;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.Usage;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.UpstreamCompletion;

/**
 * The intake's direct lane: a request for a model with direct targets ({@code spillway.models.<model>.direct}) is
 * sent to the first target that has capacity and answers within the wait budget. When none does, the caller spills
 * the request to the queue: the self-hosted fleet is the last resort, and a busy upstream never reaches the client.
 */
@ApplicationScoped
public class DirectLane {

    private static final Logger LOG = Logger.getLogger(DirectLane.class);

    /** Targets by the model name clients send, in order of preference. */
    private final Map<String, List<UpstreamTarget>> targetsByModel = new HashMap<>();
    private final Clock clock;

    public DirectLane(UpstreamsConfig upstreams, ModelsConfig models, SpillwayMetrics metrics, Clock clock) {
        this.clock = clock;
        // A misspelt target name fails startup rather than silently sending every request to the queue.
        models.served().forEach((model, config) -> config.direct().ifPresent(names -> names.stream()
                .filter(name -> !upstreams.targets().containsKey(name.strip()))
                .findFirst()
                .ifPresent(unknown -> {
                    throw new IllegalStateException("spillway.models of " + model + " lists direct target '" + unknown
                            + "', which no spillway.upstreams." + unknown + ".base-url defines");
                })));
        Map<String, UpstreamTarget> targets = new HashMap<>();
        upstreams.targets().forEach((name, config) -> targets.put(name, new UpstreamTarget(name, config, metrics,
                clock)));
        models.served().forEach((model, config) -> config.direct().ifPresent(names -> {
            List<UpstreamTarget> ordered = new ArrayList<>();
            names.forEach(name -> ordered.add(targets.get(name.strip())));
            targetsByModel.put(model, List.copyOf(ordered));
        }));
    }

    /** Whether requests for this model may go direct at all. */
    public boolean serves(String model) {
        return targetsByModel.containsKey(model);
    }

    /**
     * Tries the model's targets in order within {@code budget}.
     *
     * @return the first answer, or empty when every target was full, open, failing or too slow: spill
     */
    public Optional<DirectAnswer> serve(ChatCompletionRequest request, Duration budget) {
        Instant deadline = clock.instant().plus(budget);
        for (UpstreamTarget target : targetsByModel.getOrDefault(request.model(), List.of())) {
            if (!clock.instant().isBefore(deadline)) {
                break;
            }
            try {
                UpstreamCompletion completion = target.complete(request, deadline);
                return Optional.of(new DirectAnswer(target.name(), toCompletion(request, completion)));
            } catch (Exception e) {
                LOG.debugf("direct target %s did not answer: %s", target.name(), e.toString());
            }
        }
        return Optional.empty();
    }

    private ChatCompletion toCompletion(ChatCompletionRequest request, UpstreamCompletion completion) {
        return ChatCompletion.of("chatcmpl-" + UUID.randomUUID().toString().replace("-", ""),
                clock.instant().getEpochSecond(), request.model(), completion.content(), completion.finishReason(),
                Usage.of(completion.promptTokens(), completion.completionTokens()));
    }
}
