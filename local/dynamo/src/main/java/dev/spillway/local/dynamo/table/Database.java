package dev.spillway.local.dynamo.table;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The emulated DynamoDB: tables in memory behind one read-write lock. Reads share the read lock; every write and
 * DDL takes the write lock, which makes transactions and multi-table batches atomic and gives listeners the commit
 * order.
 */
public final class Database {

    /** One table's state for the journal's compaction. */
    public record TableSnapshot(ObjectNode description, String timeToLiveAttribute,
            List<Map<String, AttributeValue>> items) {
    }

    private final Clock clock;
    private final String region;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<String, Table> tables = new TreeMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final TableOperations tableOperations = new TableOperations(this);
    private final ItemOperations itemOperations = new ItemOperations(this);
    private final BatchOperations batchOperations = new BatchOperations(this, itemOperations);
    private final QueryOperations queryOperations = new QueryOperations(this);

    public Database(Clock clock, String region) {
        this.clock = Objects.requireNonNull(clock);
        this.region = Objects.requireNonNull(region);
    }

    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    /** Runs one DynamoDB_20120810 operation: request body in, response body out; throws DynamoException. */
    public ObjectNode handle(String operation, ObjectNode request) {
        Request body = new Request(request);
        return switch (operation) {
            case "CreateTable" -> write(() -> tableOperations.createTable(body));
            case "DeleteTable" -> write(() -> tableOperations.deleteTable(body));
            case "UpdateTable" -> write(() -> tableOperations.updateTable(body));
            case "DescribeTable" -> read(() -> tableOperations.describeTable(body));
            case "ListTables" -> read(() -> tableOperations.listTables(body));
            case "UpdateTimeToLive" -> write(() -> tableOperations.updateTimeToLive(body));
            case "DescribeTimeToLive" -> read(() -> tableOperations.describeTimeToLive(body));
            case "GetItem" -> read(() -> itemOperations.getItem(body));
            case "PutItem" -> write(() -> itemOperations.putItem(body));
            case "UpdateItem" -> write(() -> itemOperations.updateItem(body));
            case "DeleteItem" -> write(() -> itemOperations.deleteItem(body));
            case "BatchGetItem" -> read(() -> batchOperations.batchGetItem(body));
            case "BatchWriteItem" -> write(() -> batchOperations.batchWriteItem(body));
            case "TransactGetItems" -> read(() -> batchOperations.transactGetItems(body));
            case "TransactWriteItems" -> write(() -> batchOperations.transactWriteItems(body));
            case "Query" -> read(() -> queryOperations.query(body));
            case "Scan" -> read(() -> queryOperations.scan(body));
            default -> throw DynamoException.unknownOperation();
        };
    }

    /** Recreates a table exactly as {@link ChangeListener#tableCreated} described it (journal replay). */
    public void restoreTable(ObjectNode description) {
        write(() -> {
            Table table = new Table(description);
            tables.put(table.name(), table);
            listeners.forEach(listener -> listener.tableCreated(table.name(), table.creationDescription()));
            return null;
        });
    }

    /** Gives an existing table the description a journal recorded for an UpdateTable, keeping its items. */
    public void restoreTableUpdate(ObjectNode description) {
        write(() -> {
            Table table = table(description.path("TableName").asText());
            ObjectNode stored = table.creationDescriptionForUpdate();
            stored.removeAll();
            stored.setAll(description.deepCopy());
            listeners.forEach(listener -> listener.tableUpdated(table.name(), table.creationDescription()));
            return null;
        });
    }

    public void restoreTimeToLive(String table, String attributeOrNull) {
        write(() -> {
            table(table).timeToLiveAttribute(attributeOrNull);
            listeners.forEach(listener -> listener.timeToLiveUpdated(table, attributeOrNull));
            return null;
        });
    }

    /** Puts an item, replacing any with its key (journal replay). */
    public void restoreItem(String table, Map<String, AttributeValue> item) {
        write(() -> {
            Table target = table(table);
            commit(target, target.get(item), item, false);
            return null;
        });
    }

    public void removeItem(String table, Map<String, AttributeValue> key) {
        write(() -> {
            Table target = table(table);
            commit(target, target.get(key), null, false);
            return null;
        });
    }

    public void dropTable(String table) {
        write(() -> {
            if (tables.remove(table) != null) {
                listeners.forEach(listener -> listener.tableDeleted(table));
            }
            return null;
        });
    }

    /**
     * Deletes, in every table with TTL on, up to {@code maxItems} items whose TTL attribute is a number of epoch
     * seconds at or before {@code now}. Like DynamoDB, ignores non-numbers and values more than five years old.
     *
     * @return how many items were deleted
     */
    public int deleteExpired(Instant now, int maxItems) {
        BigDecimal nowSeconds = BigDecimal.valueOf(now.getEpochSecond());
        BigDecimal oldest = BigDecimal.valueOf(now.minus(5 * 365 + 1, ChronoUnit.DAYS).getEpochSecond());
        return write(() -> {
            int deleted = 0;
            for (Table table : tables.values()) {
                String attribute = table.timeToLiveAttribute();
                if (attribute == null) {
                    continue;
                }
                List<Map<String, AttributeValue>> expired = new ArrayList<>();
                for (Map<String, AttributeValue> item : table.store().items()) {
                    if (deleted + expired.size() >= maxItems) {
                        break;
                    }
                    if (item.get(attribute) instanceof AttributeValue.N expiry
                            && expiry.value().compareTo(nowSeconds) <= 0 && expiry.value().compareTo(oldest) >= 0) {
                        expired.add(item);
                    }
                }
                for (Map<String, AttributeValue> item : expired) {
                    commit(table, item, null, true);
                }
                deleted += expired.size();
            }
            return deleted;
        });
    }

    /** Every table's current description and items, consistent with each other, for the journal's compaction. */
    public List<TableSnapshot> snapshot() {
        return read(() -> {
            List<TableSnapshot> snapshot = new ArrayList<>();
            for (Table table : tables.values()) {
                List<Map<String, AttributeValue>> items = new ArrayList<>(table.store().size());
                table.store().items().forEach(items::add);
                snapshot.add(new TableSnapshot(table.creationDescription(), table.timeToLiveAttribute(), items));
            }
            return snapshot;
        });
    }

    // ---- for the operations (called under the lock) ----

    Instant now() {
        return clock.instant();
    }

    String region() {
        return region;
    }

    TreeMap<String, Table> tables() {
        return tables;
    }

    Table table(String name) {
        Table table = tables.get(name);
        if (table == null) {
            throw DynamoException.resourceNotFound("Requested resource not found");
        }
        return table;
    }

    List<ChangeListener> listeners() {
        return listeners;
    }

    /**
     * Applies one item change (newItem null = delete) and tells the listeners, unless it changes nothing. The item
     * must have been validated.
     */
    void commit(Table table, Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem,
            boolean byTimeToLive) {
        if (Objects.equals(oldItem, newItem)) {
            return;
        }
        if (newItem == null) {
            table.delete(oldItem);
        } else {
            table.put(newItem);
        }
        Map<String, AttributeValue> stored = newItem == null ? null : table.get(newItem);
        listeners.forEach(listener -> listener.itemChanged(table.name(), oldItem, stored, byTimeToLive));
    }

    private <T> T read(java.util.function.Supplier<T> action) {
        return locked(lock.readLock(), action);
    }

    private <T> T write(java.util.function.Supplier<T> action) {
        return locked(lock.writeLock(), action);
    }

    private static <T> T locked(Lock held, java.util.function.Supplier<T> action) {
        held.lock();
        try {
            return action.get();
        } finally {
            held.unlock();
        }
    }
}
