package dev.spillway.infra.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * One SQS queue per {@link Tier}, each with its own dead-letter queue, SSE and TLS-only access: the shared fleet's
 * ({@link #all()}), and those of each model given a fleet of its own ({@link #addModelFleet}).
 * Validation rejects settings SQS would refuse, or that would let dead letters expire before the messages
 * that became them.
 */
public final class PriorityQueues extends Construct {

    /** SQS limits for {@code maxReceiveCount} in a redrive policy. */
    static final int MIN_RECEIVE_COUNT = 1;
    static final int MAX_RECEIVE_COUNT = 1000;
    /** SQS limit for a visibility timeout: 12 hours. */
    static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final Map<Tier, TierQueue> tiers = new EnumMap<>(Tier.class);
    private final Map<String, FleetQueues> modelFleets = new LinkedHashMap<>();
    private final PriorityQueuesProps props;

    public PriorityQueues(final Construct scope, final String id, final PriorityQueuesProps props) {
        super(scope, id);
        this.props = props;
        for (Tier tier : Tier.values()) {
            tiers.put(tier, new TierQueue(this, tier, props));
        }
        getNode().addValidation(() -> validate(props));
    }

    static List<String> validate(final PriorityQueuesProps props) {
        List<String> errors = new ArrayList<>();
        if (props.maxReceiveCount() < MIN_RECEIVE_COUNT || props.maxReceiveCount() > MAX_RECEIVE_COUNT) {
            errors.add("maxReceiveCount must be between " + MIN_RECEIVE_COUNT + " and " + MAX_RECEIVE_COUNT
                    + ", got " + props.maxReceiveCount());
        }
        double visibility = props.visibilityTimeout().toSeconds().doubleValue();
        if (visibility < 1 || visibility > MAX_VISIBILITY_SECONDS) {
            errors.add("visibilityTimeout must be between 1 s and " + MAX_VISIBILITY_SECONDS + " s, got "
                    + (long) visibility + " s");
        }
        if (props.dlqRetention().toSeconds().doubleValue() <= props.retention().toSeconds().doubleValue()) {
            errors.add("dlqRetention must be longer than the tier queues' retention, or dead letters expire first");
        }
        return errors;
    }

    /**
     * Gives {@code model} tier queues of its own (construct {@code Fleet<Model>}, settings as the shared ones): its jobs
     * travel only there, and only its fleet's workers read them.
     */
    public FleetQueues addModelFleet(final String model) {
        if (modelFleets.containsKey(model) || FleetQueues.SHARED.equals(model)) {
            throw new IllegalArgumentException("model `" + model + "` already has a fleet, or is named like the shared one");
        }
        Construct scope = new Construct(this, "Fleet" + constructSafe(model));
        List<TierQueue> own = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            own.add(new TierQueue(scope, tier, props));
        }
        FleetQueues fleet = new FleetQueues(model, own);
        modelFleets.put(model, fleet);
        return fleet;
    }

    /** A model name as a construct id part: {@code deepseek-chat} becomes {@code DeepseekChat}. */
    public static String constructSafe(final String model) {
        StringBuilder safe = new StringBuilder();
        for (String part : model.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                safe.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return safe.toString();
    }

    /** The shared fleet's tier queues, as a fleet. */
    public FleetQueues shared() {
        return new FleetQueues(FleetQueues.SHARED, all());
    }

    /** The fleets of models with queues of their own, in the order they were added. */
    public List<FleetQueues> modelFleets() {
        return List.copyOf(modelFleets.values());
    }

    /** The queues {@code model}'s jobs travel on: its own, else the shared ones. */
    public FleetQueues fleetOf(final String model) {
        return modelFleets.getOrDefault(model, shared());
    }

    /** The shared fleet's queue of {@code tier}. */
    public TierQueue tier(final Tier tier) {
        return tiers.get(tier);
    }

    /** The shared fleet's tier queues. */
    public List<TierQueue> all() {
        return List.copyOf(tiers.values());
    }

    /** Every work queue: the shared fleet's and each model fleet's. */
    public List<TierQueue> everyFleetsQueues() {
        List<TierQueue> every = new ArrayList<>(all());
        modelFleets.values().forEach(fleet -> every.addAll(fleet.tiers()));
        return every;
    }

    /** Lets the grantee send to every work queue of every fleet (the intake, ingest and reaper queue jobs there). */
    public void grantSend(final IGrantable grantee) {
        everyFleetsQueues().forEach(t -> t.queue().grantSendMessages(grantee));
    }

    /** Lets the grantee receive, change visibility of and delete messages on the shared fleet's queues and DLQs. */
    public void grantConsume(final IGrantable grantee) {
        shared().grantConsume(grantee);
    }
}
