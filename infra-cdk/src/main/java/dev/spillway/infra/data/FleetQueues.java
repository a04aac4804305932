package dev.spillway.infra.data;

import java.util.List;

import software.amazon.awscdk.services.iam.IGrantable;

/**
 * The tier queues of one fleet: the shared ones ({@value #SHARED}, read as {@code spillway.queues.*}) or a model's own
 * ({@code spillway.models.<key>.queues.*}), which only that model's workers read. The fleet name is what the
 * scheduler's backlog metric carries as its {@code Fleet} dimension.
 *
 * @param fleet {@value #SHARED}, or the model name clients send
 * @param tiers one per {@link Tier}, highest first
 */
public record FleetQueues(String fleet, List<TierQueue> tiers) {

    /** The fleet of every model without queues of its own (core's {@code Fleets.SHARED}). */
    public static final String SHARED = "shared";

    public FleetQueues {
        tiers = List.copyOf(tiers);
    }

    public boolean isShared() {
        return SHARED.equals(fleet);
    }

    public TierQueue tier(final Tier tier) {
        return tiers.stream().filter(t -> t.tier() == tier).findFirst().orElseThrow();
    }

    /** Lets the grantee receive, change visibility of and delete messages on these queues and their DLQs. */
    public void grantConsume(final IGrantable grantee) {
        tiers.forEach(t -> {
            t.queue().grantConsumeMessages(grantee);
            t.deadLetterQueue().grantConsumeMessages(grantee);
        });
    }
}
