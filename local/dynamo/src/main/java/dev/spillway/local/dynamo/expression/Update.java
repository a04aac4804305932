package dev.spillway.local.dynamo.expression;

import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A parsed UpdateExpression. */
public interface Update {

    /**
     * A new item (the input is not modified).
     *
     * @throws dev.spillway.local.dynamo.value.DynamoException ValidationException on DynamoDB's runtime errors
     *         (wrong operand types, a missing attribute in a value, a path whose parent does not exist, ...)
     */
    Map<String, AttributeValue> apply(Map<String, AttributeValue> item);

    /** The top-level attribute names the update writes or removes (for key-attribute checks). */
    Set<String> topLevelAttributes();

    /** The top-level attributes updated through a nested path ({@code a.b}, {@code a[0]}): never allowed on keys. */
    Set<String> nestedAttributes();

    /**
     * The type the first action on this top-level attribute writes, when known before evaluation (a literal's type,
     * N for arithmetic, L for list_append, the operand's type for ADD/DELETE); empty when unknown or not written.
     * DynamoDB compares it with secondary index key types before applying the update.
     */
    java.util.Optional<String> staticTypeOf(String attribute);

    /** What ReturnValues UPDATED_OLD / UPDATED_NEW returns from {@code item}: only the updated paths' values. */
    Map<String, AttributeValue> updatedPart(Map<String, AttributeValue> item);
}
