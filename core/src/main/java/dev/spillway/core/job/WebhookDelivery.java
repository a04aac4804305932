package dev.spillway.core.job;

import java.time.Instant;
import java.util.Locale;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The record, kept on the job, of the webhook POSTed when the job reached its final state. It is what makes a
 * replayed stream record harmless: a delivery is claimed with a conditional write before the first POST, and
 * once {@link State#DELIVERED}, {@link State#FAILED} or {@link State#REFUSED} nothing POSTs again.
 *
 * @param state where the delivery stands
 * @param attempts POSTs made so far (a refused URL makes none)
 * @param lastStatus HTTP status of the last response, or null when none came (refused, connection error)
 * @param lastError why the last attempt did not deliver, or null
 * @param deliveredAt when a receiver answered 2xx
 * @param owner the notifier invocation entitled to deliver (DELIVERING only)
 * @param leaseUntil until when that owner is (DELIVERING only); past it another notifier may take over
 */
@RegisterForReflection
public record WebhookDelivery(State state, int attempts, Integer lastStatus, String lastError, Instant deliveredAt,
        String owner, Instant leaseUntil) {

    public enum State {
        /** A notifier is POSTing (or crashed while it was; its lease tells). */
        DELIVERING,
        /** A receiver answered 2xx. */
        DELIVERED,
        /** Every attempt failed; not retried. */
        FAILED,
        /** The URL was refused at delivery (scheme, or an address it may not reach); never connected. */
        REFUSED;

        public boolean isFinal() {
            return this != DELIVERING;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
