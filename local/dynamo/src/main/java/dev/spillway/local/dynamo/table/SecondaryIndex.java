package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * A global or local secondary index, kept up to date on every write. Sparse: an item lacking the index key (or
 * carrying it with another type) is not in it. Holds each item's projection: ALL, KEYS_ONLY, or INCLUDE (index keys,
 * table keys and the listed attributes).
 */
final class SecondaryIndex {

    private final String name;
    private final boolean global;
    private final KeySchema key;
    private final KeySchema tableKey;
    private final String projectionType;
    private final Set<String> included;
    private final ItemStore store = new ItemStore();

    SecondaryIndex(String name, boolean global, KeySchema key, KeySchema tableKey, String projectionType,
            Set<String> included) {
        this.name = name;
        this.global = global;
        this.key = key;
        this.tableKey = tableKey;
        this.projectionType = projectionType;
        this.included = included;
    }

    String name() {
        return name;
    }

    boolean global() {
        return global;
    }

    KeySchema key() {
        return key;
    }

    String projectionType() {
        return projectionType;
    }

    Set<String> included() {
        return included;
    }

    ItemStore store() {
        return store;
    }

    /** Whether a projected item may lack some of the table's attributes (a query then cannot ask for all). */
    boolean projectsAll() {
        return projectionType.equals("ALL");
    }

    void update(Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem) {
        if (oldItem != null && key.coveredBy(oldItem)) {
            store.remove(oldItem.get(key.hashName()), position(oldItem));
        }
        if (newItem != null && key.coveredBy(newItem)) {
            store.put(newItem.get(key.hashName()), position(newItem), project(newItem));
        }
    }

    /** Index range value, then the table key: unique, and the order a Query on the index returns. */
    List<AttributeValue> position(Map<String, AttributeValue> item) {
        List<AttributeValue> position = new ArrayList<>(3);
        if (key.hasRange()) {
            position.add(item.get(key.rangeName()));
        }
        position.add(item.get(tableKey.hashName()));
        if (tableKey.hasRange()) {
            position.add(item.get(tableKey.rangeName()));
        }
        return position;
    }

    /** The key a paging Query or Scan on this index returns as LastEvaluatedKey: table key and index key. */
    Map<String, AttributeValue> pagingKey(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> paging = new LinkedHashMap<>(tableKey.keyOf(item));
        paging.putAll(key.keyOf(item));
        return paging;
    }

    private Map<String, AttributeValue> project(Map<String, AttributeValue> item) {
        if (projectsAll()) {
            return item;
        }
        Map<String, AttributeValue> projected = new LinkedHashMap<>();
        item.forEach((attribute, value) -> {
            if (key.isKeyAttribute(attribute) || tableKey.isKeyAttribute(attribute) || included.contains(attribute)) {
                projected.put(attribute, value);
            }
        });
        return projected;
    }
}
