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

    /** What ReturnValues UPDATED_OLD / UPDATED_NEW returns from {@code item}: only the updated paths' values. */
    Map<String, AttributeValue> updatedPart(Map<String, AttributeValue> item);
}
