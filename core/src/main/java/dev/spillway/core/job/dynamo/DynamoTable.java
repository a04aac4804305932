package dev.spillway.core.job.dynamo;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * A table keyed by {@code id} as the stores write it: every state change a conditional update returning the new item,
 * and the attribute shorthands they share. Shared by the job, batch and batch-file stores.
 */
public final class DynamoTable {

    private final DynamoDbClient dynamo;
    private final String name;
    private final Map<String, String> placeholders;

    /**
     * @param placeholders every {@code #placeholder} the store's expressions use, with the attribute it stands for;
     *        each update is sent only those its expressions contain, as DynamoDB refuses unused ones
     */
    public DynamoTable(DynamoDbClient dynamo, String name, Map<String, String> placeholders) {
        this.dynamo = dynamo;
        this.name = name;
        this.placeholders = Map.copyOf(placeholders);
    }

    public String name() {
        return name;
    }

    /** A conditional update of item {@code id}: the new item, or empty when the condition does not hold. */
    public Optional<Map<String, AttributeValue>> update(String id, String update, String condition,
            Map<String, AttributeValue> values) {
        String expressions = update + " " + condition;
        Map<String, String> names = new HashMap<>();
        placeholders.forEach((placeholder, attribute) -> {
            if (expressions.contains(placeholder)) {
                names.put(placeholder, attribute);
            }
        });
        try {
            return Optional.of(dynamo.updateItem(UpdateItemRequest.builder()
                    .tableName(name)
                    .key(key(id))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .build()).attributes());
        } catch (ConditionalCheckFailedException notInExpectedState) {
            return Optional.empty();
        }
    }

    public static Map<String, AttributeValue> key(String id) {
        return Map.of(DynamoJobStore.ID, s(id));
    }

    public static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    public static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A string attribute, or null when the item has none. */
    public static String str(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null ? null : value.s();
    }

    /** An instant stored as epoch milliseconds, or null when the item has none. */
    public static Instant instant(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
