package dev.spillway.local.dynamo.journal;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;

/** Where a replayed journal goes: the database's restore operations, without validation or stream records. */
public interface ReplayTarget {

    void createTable(ObjectNode description);

    /** An UpdateTable: the table's whole new description; its items stay. */
    void updateTable(ObjectNode description);

    void timeToLive(String table, String attributeOrNull);

    void put(String table, Map<String, AttributeValue> item);

    void delete(String table, Map<String, AttributeValue> key);

    void deleteTable(String table);
}
