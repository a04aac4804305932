package dev.spillway.core.job.dynamo;

import static dev.spillway.core.job.dynamo.DynamoTable.instant;
import static dev.spillway.core.job.dynamo.DynamoTable.n;
import static dev.spillway.core.job.dynamo.DynamoTable.s;
import static dev.spillway.core.job.dynamo.DynamoTable.str;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.core.job.WebhookDelivery;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The webhook delivery recorded on a job or a batch item, the same attributes on both (see {@link WebhookDelivery}):
 * the claim a deliverer takes under a lease, each attempt recorded under that claim, and the record read back.
 */
public final class WebhookRecords {

    private static final String STATE = "webhookState";
    private static final String ATTEMPTS = "webhookAttempts";
    private static final String LAST_STATUS = "webhookLastStatus";
    private static final String LAST_ERROR = "webhookLastError";
    private static final String DELIVERED_AT = "webhookDeliveredAt";
    private static final String OWNER = "webhookOwner";
    private static final String LEASE_UNTIL = "webhookLeaseUntil";

    /** Placeholders of the callback URL and the delivery attributes in the expressions below. */
    public static final Map<String, String> NAMES = Map.of(
            "#callback", DynamoJobStore.CALLBACK_URL, "#whState", STATE, "#whAttempts", ATTEMPTS,
            "#whLastStatus", LAST_STATUS, "#whLastError", LAST_ERROR, "#whDeliveredAt", DELIVERED_AT,
            "#whOwner", OWNER, "#whLeaseUntil", LEASE_UNTIL);

    /** The update that claims the delivery; its values come from {@link #claimValues}. */
    public static final String CLAIM = "SET #whState = :delivering, #whOwner = :owner, #whLeaseUntil = :until, "
            + "#whAttempts = if_not_exists(#whAttempts, :zero)";

    /** The condition of {@link #CLAIM}: a callback, and no delivery yet or one whose deliverer's lease lapsed. */
    public static final String CLAIMABLE = "attribute_exists(#callback) AND "
            + "(attribute_not_exists(#whState) OR (#whState = :delivering AND #whLeaseUntil < :now))";

    /** The condition of {@link #recordUpdate}: the owner still holds the delivery. */
    public static final String HELD = "#whState = :delivering AND #whOwner = :owner";

    private WebhookRecords() {
    }

    /** The values of {@link #CLAIM} and {@link #CLAIMABLE}, in a map the caller may add to. */
    public static Map<String, AttributeValue> claimValues(String owner, Instant now, Instant leaseUntil) {
        return new HashMap<>(Map.of(":delivering", s(WebhookDelivery.State.DELIVERING.name()), ":owner", s(owner),
                ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":zero", n(0)));
    }

    /** The update recording {@code delivery} under {@code owner}'s claim, with {@link #HELD}; fills {@code values}. */
    public static String recordUpdate(String owner, WebhookDelivery delivery, Map<String, AttributeValue> values) {
        values.put(":delivering", s(WebhookDelivery.State.DELIVERING.name()));
        values.put(":owner", s(owner));
        values.put(":state", s(delivery.state().name()));
        values.put(":attempts", n(delivery.attempts()));
        List<String> set = new ArrayList<>(List.of("#whState = :state", "#whAttempts = :attempts"));
        List<String> remove = new ArrayList<>();
        if (delivery.lastStatus() != null) {
            values.put(":lastStatus", n(delivery.lastStatus()));
            set.add("#whLastStatus = :lastStatus");
        } else {
            remove.add("#whLastStatus");
        }
        if (delivery.lastError() != null) {
            values.put(":lastError", s(delivery.lastError()));
            set.add("#whLastError = :lastError");
        } else {
            remove.add("#whLastError");
        }
        if (delivery.deliveredAt() != null) {
            values.put(":deliveredAt", n(delivery.deliveredAt().toEpochMilli()));
            set.add("#whDeliveredAt = :deliveredAt");
        }
        if (delivery.state().isFinal()) {
            remove.add("#whOwner");
            remove.add("#whLeaseUntil");
        }
        return "SET " + String.join(", ", set) + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
    }

    /** The delivery recorded on a job or batch item, or null when none was taken up yet. */
    public static WebhookDelivery read(Map<String, AttributeValue> item) {
        if (!item.containsKey(STATE)) {
            return null;
        }
        return new WebhookDelivery(WebhookDelivery.State.valueOf(str(item, STATE)),
                item.containsKey(ATTEMPTS) ? Integer.parseInt(item.get(ATTEMPTS).n()) : 0,
                item.containsKey(LAST_STATUS) ? Integer.valueOf(item.get(LAST_STATUS).n()) : null,
                str(item, LAST_ERROR), instant(item, DELIVERED_AT), str(item, OWNER), instant(item, LEASE_UNTIL));
    }
}
