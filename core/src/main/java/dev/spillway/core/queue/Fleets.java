package dev.spillway.core.queue;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.config.QueuesConfig;
import dev.spillway.core.config.QueuesConfig.TierQueue;
import dev.spillway.core.config.QueuesConfig.TierQueues;
import dev.spillway.core.job.Tier;

/**
 * Which queues each model's jobs travel on. A fleet is a set of tier queues and the workers that read them: a model
 * with queues of its own ({@code spillway.models.<key>.queues.*}) is a fleet named after the model, and every other
 * model shares the {@value #SHARED} fleet ({@code spillway.queues.*}). A worker reads only the fleets of the models
 * it serves, so it is never handed a job it has no engine for.
 */
@ApplicationScoped
public class Fleets {

    /** The fleet of every model without queues of its own. */
    public static final String SHARED = "shared";

    private final Map<String, TierQueues> queuesByFleet = new TreeMap<>();
    private final Map<String, String> fleetByModel = new TreeMap<>();

    @Inject
    public Fleets(QueuesConfig shared, ModelsConfig models) {
        this(sharedQueues(shared), ownQueues(models));
    }

    /**
     * @param shared the shared fleet's queues, if there is one
     * @param ownQueues the queues of each model (by the name clients send) that has its own fleet
     */
    public Fleets(Optional<TierQueues> shared, Map<String, TierQueues> ownQueues) {
        shared.ifPresent(queues -> queuesByFleet.put(SHARED, queues));
        ownQueues.forEach((model, queues) -> {
            if (SHARED.equals(model)) {
                throw new IllegalArgumentException("a model with its own queues cannot be named `" + SHARED + "`");
            }
            queuesByFleet.put(model, queues);
            fleetByModel.put(model, model);
        });
        if (queuesByFleet.isEmpty()) {
            throw new IllegalArgumentException("no queues configured: set spillway.queues.* (shared by every model) "
                    + "or spillway.models.<key>.queues.* for each model");
        }
    }

    /** Only the shared fleet: every model's jobs on these queues. */
    public static Fleets shared(TierQueues queues) {
        return new Fleets(Optional.of(queues), Map.of());
    }

    /**
     * The fleet whose queues carry {@code model}'s jobs: its own, else the shared one.
     *
     * @throws IllegalStateException when the model has no fleet of its own and there is no shared fleet
     */
    public String of(String model) {
        String own = fleetByModel.get(model);
        if (own != null) {
            return own;
        }
        if (!queuesByFleet.containsKey(SHARED)) {
            throw new IllegalStateException("model `" + model + "` has no queues of its own and no shared queues "
                    + "are configured");
        }
        return SHARED;
    }

    /** The fleets that serve {@code models}, in name order: what a worker serving them reads. */
    public Set<String> serving(Collection<String> models) {
        Set<String> fleets = new LinkedHashSet<>();
        models.stream().sorted().forEach(model -> fleets.add(of(model)));
        return fleets;
    }

    /** Every fleet, in name order. */
    public Set<String> names() {
        return queuesByFleet.keySet();
    }

    /** @throws IllegalArgumentException for a fleet that is not configured */
    public TierQueue queue(String fleet, Tier tier) {
        TierQueues queues = queuesByFleet.get(fleet);
        if (queues == null) {
            throw new IllegalArgumentException("no fleet named `" + fleet + "`; fleets: " + queuesByFleet.keySet());
        }
        return queues.of(tier);
    }

    private static Optional<TierQueues> sharedQueues(QueuesConfig config) {
        if (config.interactive().isEmpty() && config.standard().isEmpty() && config.batch().isEmpty()) {
            return Optional.empty();
        }
        if (config.interactive().isEmpty() || config.standard().isEmpty() || config.batch().isEmpty()) {
            throw new IllegalArgumentException("spillway.queues.* must name a queue for every tier "
                    + "(interactive, standard, batch) or for none");
        }
        TierQueue interactive = config.interactive().get();
        TierQueue standard = config.standard().get();
        TierQueue batch = config.batch().get();
        return Optional.of(new TierQueues() {
            @Override
            public TierQueue interactive() {
                return interactive;
            }

            @Override
            public TierQueue standard() {
                return standard;
            }

            @Override
            public TierQueue batch() {
                return batch;
            }
        });
    }

    private static Map<String, TierQueues> ownQueues(ModelsConfig models) {
        Map<String, TierQueues> own = new TreeMap<>();
        models.served().forEach((name, model) -> model.queues().ifPresent(queues -> own.put(name, queues)));
        return own;
    }

    /** A tier queue's URLs, for building fleets outside configuration (tests, tools). */
    public record Urls(String url, Optional<String> dlqUrl) implements TierQueue {
    }

    /** Three tier queues, for building fleets outside configuration (tests, tools). */
    public record Queues(TierQueue interactive, TierQueue standard, TierQueue batch) implements TierQueues {
    }
}
