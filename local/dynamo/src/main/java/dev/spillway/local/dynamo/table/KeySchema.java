package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;
import dev.spillway.local.dynamo.value.ItemSize;

/**
 * A table's or an index's key: the hash (partition) attribute and the optional range (sort) attribute, with their
 * declared scalar types (S, N or B).
 */
record KeySchema(String hashName, String hashType, String rangeName, String rangeType) {

    boolean hasRange() {
        return rangeName != null;
    }

    List<String> names() {
        return hasRange() ? List.of(hashName, rangeName) : List.of(hashName);
    }

    boolean isKeyAttribute(String name) {
        return name.equals(hashName) || name.equals(rangeName);
    }

    /** The key attributes of an item that is known to carry them. */
    Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put(hashName, item.get(hashName));
        if (hasRange()) {
            key.put(rangeName, item.get(rangeName));
        }
        return key;
    }

    /** Whether the item carries this key with the declared types: a sparse index holds only such items. */
    boolean coveredBy(Map<String, AttributeValue> item) {
        return hasType(item.get(hashName), hashType) && (!hasRange() || hasType(item.get(rangeName), rangeType));
    }

    /** Checks a Key parameter: exactly the key attributes, of the right types, not empty. */
    void validateKey(Map<String, AttributeValue> key) {
        if (key.size() != names().size()) {
            throw DynamoException.validation("The provided key element does not match the schema");
        }
        validateKeyValue(key.get(hashName), hashName, hashType, true, false);
        if (hasRange()) {
            validateKeyValue(key.get(rangeName), rangeName, rangeType, false, false);
        }
    }

    /** Checks that an item to store carries the key. */
    void validateItem(Map<String, AttributeValue> item) {
        for (String name : names()) {
            String type = name.equals(hashName) ? hashType : rangeType;
            AttributeValue value = item.get(name);
            if (value == null) {
                throw DynamoException.validation("One or more parameter values were invalid: Missing the key " + name
                        + " in the item");
            }
            if (!value.type().equals(type)) {
                throw DynamoException.validation("One or more parameter values were invalid: Type mismatch for key "
                        + name + " expected: " + type + " actual: " + value.type());
            }
            validateKeyValue(value, name, type, name.equals(hashName), true);
        }
    }

    private static void validateKeyValue(AttributeValue value, String name, String type, boolean hash,
            boolean inItem) {
        if (value == null || !value.type().equals(type)) {
            throw DynamoException.validation("The provided key element does not match the schema");
        }
        int size = value instanceof AttributeValue.N ? 0 : ItemSize.of(value);
        if (size == 0 && !(value instanceof AttributeValue.N)) {
            throw DynamoException.validation((inItem ? "One or more parameter values are not valid. "
                    : "One or more parameter values were invalid: ") + "The AttributeValue for a key attribute cannot contain an empty "
                    + (type.equals("S") ? "string" : "binary") + " value. Key: " + name);
        }
        if (hash && size > 2048) {
            throw DynamoException.validation("One or more parameter values were invalid: Size of hashkey has exceeded "
                    + "the maximum size limit of2048 bytes");
        }
        if (!hash && size > 1024) {
            throw DynamoException.validation("One or more parameter values were invalid: Aggregated size of all range "
                    + "keys has exceeded the size limit of 1024 bytes");
        }
    }

    /** The position of an item inside its hash partition: its range value, or nothing. */
    List<AttributeValue> rangePart(Map<String, AttributeValue> item) {
        List<AttributeValue> part = new ArrayList<>(1);
        if (hasRange()) {
            part.add(item.get(rangeName));
        }
        return part;
    }

    private static boolean hasType(AttributeValue value, String type) {
        return value != null && value.type().equals(type);
    }
}
