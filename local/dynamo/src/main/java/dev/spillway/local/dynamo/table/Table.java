package dev.spillway.local.dynamo.table;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;
import dev.spillway.local.dynamo.value.ItemSize;

/**
 * One table: its items, its secondary indexes, its TTL setting and the description it was created with (from which
 * the journal can recreate it identically). Not thread-safe: the database's lock guards it.
 */
final class Table {

    private final String name;
    private final ObjectNode creationDescription;
    private final KeySchema key;
    private final Map<String, String> attributeTypes = new LinkedHashMap<>();
    private final Map<String, SecondaryIndex> indexes = new LinkedHashMap<>();
    private final ItemStore store = new ItemStore();
    private String timeToLiveAttribute;

    /** Rebuilds a table from a TableDescription as {@link TableDescriptions} writes it at creation. */
    Table(ObjectNode description) {
        this.creationDescription = description.deepCopy();
        this.name = description.get("TableName").textValue();
        description.get("AttributeDefinitions").forEach(definition -> attributeTypes.put(
                definition.get("AttributeName").textValue(), definition.get("AttributeType").textValue()));
        this.key = keySchema(description.get("KeySchema"));
        addIndexes(description.get("GlobalSecondaryIndexes"), true);
        addIndexes(description.get("LocalSecondaryIndexes"), false);
    }

    private void addIndexes(JsonNode definitions, boolean global) {
        if (definitions == null) {
            return;
        }
        for (JsonNode definition : definitions) {
            JsonNode projection = definition.get("Projection");
            Set<String> included = new LinkedHashSet<>();
            if (projection.has("NonKeyAttributes")) {
                projection.get("NonKeyAttributes").forEach(attribute -> included.add(attribute.textValue()));
            }
            String indexName = definition.get("IndexName").textValue();
            indexes.put(indexName, new SecondaryIndex(indexName, global, keySchema(definition.get("KeySchema")), key,
                    projection.get("ProjectionType").textValue(), included));
        }
    }

    private KeySchema keySchema(JsonNode elements) {
        String hash = null;
        String range = null;
        for (JsonNode element : elements) {
            if (element.get("KeyType").textValue().equals("HASH")) {
                hash = element.get("AttributeName").textValue();
            } else {
                range = element.get("AttributeName").textValue();
            }
        }
        return new KeySchema(hash, attributeTypes.get(hash), range, range == null ? null : attributeTypes.get(range));
    }

    String name() {
        return name;
    }

    KeySchema key() {
        return key;
    }

    ObjectNode creationDescription() {
        return creationDescription.deepCopy();
    }

    /** The stored description itself, for UpdateTable's billing changes (kept in snapshots). */
    ObjectNode creationDescriptionForUpdate() {
        return creationDescription;
    }

    String timeToLiveAttribute() {
        return timeToLiveAttribute;
    }

    void timeToLiveAttribute(String attribute) {
        this.timeToLiveAttribute = attribute;
    }

    Map<String, SecondaryIndex> indexes() {
        return indexes;
    }

    ItemStore store() {
        return store;
    }

    SecondaryIndex index(String indexName) {
        SecondaryIndex index = indexes.get(indexName);
        if (index == null) {
            throw DynamoException.validation("The table does not have the specified index: " + indexName);
        }
        return index;
    }

    Map<String, AttributeValue> get(Map<String, AttributeValue> itemOrKey) {
        return store.get(itemOrKey.get(key.hashName()), key.rangePart(itemOrKey));
    }

    /** Checks an item about to be stored: its key, its index keys' types, its size. */
    void validateItem(Map<String, AttributeValue> item) {
        validateItem(item, "Item size has exceeded the maximum allowed size");
    }

    /** @param sizeMessage what DynamoDB says of an item over 400 KB (UpdateItem words it differently) */
    void validateItem(Map<String, AttributeValue> item, String sizeMessage) {
        key.validateItem(item);
        for (SecondaryIndex index : indexes.values()) {
            for (String attribute : index.key().names()) {
                AttributeValue value = item.get(attribute);
                String expected = attributeTypes.get(attribute);
                if (value != null && !value.type().equals(expected)) {
                    throw DynamoException.validation("One or more parameter values were invalid: Type mismatch for "
                            + "Index Key " + attribute + " Expected: " + expected + " Actual: " + value.type()
                            + " IndexName: " + index.name());
                }
                if (value != null && ItemSize.of(value) == 0 && !(value instanceof AttributeValue.N)) {
                    throw DynamoException.validation("One or more parameter values are not valid. A value specified "
                            + "for a secondary index key is not supported. The AttributeValue for a key attribute "
                            + "cannot contain an empty string value. IndexName: " + index.name() + ", IndexKey: "
                            + attribute);
                }
            }
        }
        if (ItemSize.of(item) > ItemSize.MAX_ITEM_BYTES) {
            throw DynamoException.validation(sizeMessage);
        }
    }

    /**
     * What DynamoDB checks of an update before reading the item: key attributes are never written, index keys only
     * whole and with their declared type.
     */
    void validateUpdate(RequestExpressions.ParsedUpdate update) {
        for (String attribute : key.names()) {
            if (update.topLevelAttributes().contains(attribute) || update.nestedAttributes().contains(attribute)) {
                throw DynamoException.validation("One or more parameter values were invalid: Cannot update attribute "
                        + attribute + ". This attribute is part of the key");
            }
        }
        for (SecondaryIndex index : indexes.values()) {
            for (String attribute : index.key().names()) {
                String expected = attributeTypes.get(attribute);
                String written = update.staticTypeOf().apply(attribute).orElse(expected);
                if (!update.nestedAttributes().contains(attribute) && !written.equals(expected)) {
                    throw DynamoException.validation("One or more parameter values were invalid: Type mismatch for "
                            + "Index Key " + attribute + " Expected: " + expected + " Actual: " + written
                            + " IndexName: " + index.name());
                }
            }
        }
        for (SecondaryIndex index : indexes.values()) {
            for (String attribute : index.key().names()) {
                if (update.nestedAttributes().contains(attribute)) {
                    throw DynamoException.validation("Key attributes must be scalars; list random access '[]' and map "
                            + "lookup '.' are not allowed: IndexKey: " + attribute);
                }
            }
        }
    }

    /** Stores an already validated item, replacing any item with its key; returns the replaced one. */
    Map<String, AttributeValue> put(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> stored = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(item));
        Map<String, AttributeValue> previous = store.put(item.get(key.hashName()), key.rangePart(item), stored);
        indexes.values().forEach(index -> index.update(previous, stored));
        return previous;
    }

    Map<String, AttributeValue> delete(Map<String, AttributeValue> itemOrKey) {
        Map<String, AttributeValue> removed = store.remove(itemOrKey.get(key.hashName()), key.rangePart(itemOrKey));
        if (removed != null) {
            indexes.values().forEach(index -> index.update(removed, null));
        }
        return removed;
    }

    /** The TableDescription DescribeTable answers now: the creation one with live counts and sizes. */
    ObjectNode describe() {
        ObjectNode description = creationDescription.deepCopy();
        long bytes = 0;
        for (Map<String, AttributeValue> item : store.items()) {
            bytes += ItemSize.of(item);
        }
        description.put("TableSizeBytes", bytes);
        description.put("ItemCount", store.size());
        describeIndexes(description.get("GlobalSecondaryIndexes"));
        describeIndexes(description.get("LocalSecondaryIndexes"));
        return description;
    }

    private void describeIndexes(JsonNode described) {
        if (described instanceof ArrayNode array) {
            for (JsonNode node : array) {
                SecondaryIndex index = indexes.get(node.get("IndexName").textValue());
                long bytes = 0;
                for (Map<String, AttributeValue> item : index.store().items()) {
                    bytes += ItemSize.of(item);
                }
                ((ObjectNode) node).put("IndexSizeBytes", bytes);
                ((ObjectNode) node).put("ItemCount", index.store().size());
            }
        }
    }
}
