package dev.spillway.local.dynamo.expression;

import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A parsed ConditionExpression, FilterExpression or KeyConditionExpression, evaluated against items. */
public interface Condition {

    /** Whether the item satisfies the condition; an empty item stands for an absent one. */
    boolean test(Map<String, AttributeValue> item);

    /** The top-level attributes the condition reads (a Query filter may not name key attributes). */
    default Set<String> topLevelAttributes() {
        return Set.of();
    }

    /** The top-level attributes read through a nested path ({@code a.b}, {@code a[0]}): never allowed on keys. */
    default Set<String> nestedAttributes() {
        return Set.of();
    }
}
