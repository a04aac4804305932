package dev.spillway.local.dynamo.expression;

import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A parsed ConditionExpression, FilterExpression or KeyConditionExpression, evaluated against items. */
public interface Condition {

    /** Whether the item satisfies the condition; an empty item stands for an absent one. */
    boolean test(Map<String, AttributeValue> item);
}
