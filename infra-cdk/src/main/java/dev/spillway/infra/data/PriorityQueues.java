package dev.spillway.infra.data;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * One SQS queue per {@link Tier}, each with its own dead-letter queue, SSE and TLS-only access.
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

    public PriorityQueues(final Construct scope, final String id, final PriorityQueuesProps props) {
        super(scope, id);
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

    public TierQueue tier(final Tier tier) {
        return tiers.get(tier);
    }

    public List<TierQueue> all() {
        return List.copyOf(tiers.values());
    }

    /** Lets the grantee send to every tier queue (the intake spills work here). */
    public void grantSend(final IGrantable grantee) {
        tiers.values().forEach(t -> t.queue().grantSendMessages(grantee));
    }

    /** Lets the grantee receive, change visibility of and delete messages on every tier queue and DLQ. */
    public void grantConsume(final IGrantable grantee) {
        tiers.values().forEach(t -> {
            t.queue().grantConsumeMessages(grantee);
            t.deadLetterQueue().grantConsumeMessages(grantee);
        });
    }
}
