package dev.spillway.local.dynamo.stream;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One table's stream: its identity, its single shard and the records still retained, keyed by sequence number.
 * Not thread-safe: {@link StreamStore} guards every instance.
 */
final class TableStream {

    private final String arn;
    private final String label;
    private final String tableName;
    private final String viewType;
    private final ArrayNode keySchema;
    private final List<String> keyAttributes;
    private final Instant createdAt;
    private final String shardId;
    private final long startingSequence;
    private final NavigableMap<Long, StreamRecord> records = new TreeMap<>();
    /** The highest sequence number trimmed away; readers asking for it or below get TrimmedDataAccessException. */
    private long trimmedThrough = -1;
    private Long endingSequence;
    private Instant disabledAt;

    /** A record as it was built, with the time it is trimmed by. */
    record StreamRecord(long sequence, Instant createdAt, ObjectNode json) {
    }

    TableStream(String arn, String label, String tableName, String viewType, ArrayNode keySchema,
            List<String> keyAttributes, Instant createdAt, String shardId, long startingSequence) {
        this.arn = arn;
        this.label = label;
        this.tableName = tableName;
        this.viewType = viewType;
        this.keySchema = keySchema;
        this.keyAttributes = keyAttributes;
        this.createdAt = createdAt;
        this.shardId = shardId;
        this.startingSequence = startingSequence;
    }

    void append(StreamRecord record) {
        records.put(record.sequence(), record);
    }

    /** Drops the records created before {@code cutoff}. */
    void trim(Instant cutoff) {
        while (!records.isEmpty() && records.firstEntry().getValue().createdAt().isBefore(cutoff)) {
            trimmedThrough = records.pollFirstEntry().getKey();
        }
    }

    /** The table was deleted: the shard closes after its last record. */
    void disable(Instant now) {
        if (disabledAt == null) {
            disabledAt = now;
            endingSequence = records.isEmpty() ? Math.max(startingSequence, trimmedThrough) : records.lastKey();
        }
    }

    Collection<StreamRecord> from(long position) {
        return records.tailMap(position, true).values();
    }

    Map.Entry<Long, StreamRecord> last() {
        return records.lastEntry();
    }

    boolean enabled() {
        return disabledAt == null;
    }

    String arn() {
        return arn;
    }

    String label() {
        return label;
    }

    String tableName() {
        return tableName;
    }

    String viewType() {
        return viewType;
    }

    ArrayNode keySchema() {
        return keySchema;
    }

    List<String> keyAttributes() {
        return keyAttributes;
    }

    Instant createdAt() {
        return createdAt;
    }

    String shardId() {
        return shardId;
    }

    long startingSequence() {
        return startingSequence;
    }

    long trimmedThrough() {
        return trimmedThrough;
    }

    Long endingSequence() {
        return endingSequence;
    }

    Instant disabledAt() {
        return disabledAt;
    }
}
