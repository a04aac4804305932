package dev.spillway.local.dynamo.table;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * What the database tells its Streams store and its journal. Every call is made while the database holds its write
 * lock, in commit order, so listeners see changes exactly as they were applied; a listener must not call back into
 * the database from here.
 */
public interface ChangeListener {

    /**
     * A table was created. {@code description} is its TableDescription as DescribeTable answers it at creation (key
     * schema, attribute definitions, indexes, StreamSpecification, LatestStreamArn and LatestStreamLabel,
     * CreationDateTime): enough to recreate the same table.
     */
    default void tableCreated(String table, ObjectNode description) {
    }

    default void tableDeleted(String table) {
    }

    /**
     * UpdateTable changed a table's description (billing, throughput, its stream switched on or off): {@code
     * description} is the whole new one, as {@link #tableCreated} gives it; the items are unchanged.
     */
    default void tableUpdated(String table, ObjectNode description) {
    }

    /** Time to live was switched on ({@code attribute} set) or off ({@code attribute} null). */
    default void timeToLiveUpdated(String table, String attribute) {
    }

    /**
     * One item changed. Not called for a write that leaves the item as it was (an identical put, an update that
     * sets what is already there, a delete of a missing item).
     *
     * @param oldImage the item before, null for an insert
     * @param newImage the item after, null for a removal
     * @param byTimeToLive whether the TTL sweep removed it (its stream record then names DynamoDB as the user)
     */
    void itemChanged(String table, Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage,
            boolean byTimeToLive);
}
