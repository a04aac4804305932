package dev.spillway.local.dynamo.table;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.KeyOrder;

/**
 * Items in DynamoDB's layout: partitions by hash key value, each sorted by the rest of the key (the range value for
 * a table; index range, then the table key, for an index). Not thread-safe: the database's lock guards it.
 */
final class ItemStore {

    private final NavigableMap<AttributeValue, NavigableMap<List<AttributeValue>, Map<String, AttributeValue>>> partitions =
            new TreeMap<>(KeyOrder.INSTANCE);
    private int size;

    int size() {
        return size;
    }

    Map<String, AttributeValue> get(AttributeValue hash, List<AttributeValue> rest) {
        NavigableMap<List<AttributeValue>, Map<String, AttributeValue>> partition = partitions.get(hash);
        return partition == null ? null : partition.get(rest);
    }

    /** Stores an item; returns the one it replaced, if any. */
    Map<String, AttributeValue> put(AttributeValue hash, List<AttributeValue> rest, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> previous = partitions.computeIfAbsent(hash, h -> new TreeMap<>(KeyOrder.LISTS))
                .put(rest, item);
        if (previous == null) {
            size++;
        }
        return previous;
    }

    Map<String, AttributeValue> remove(AttributeValue hash, List<AttributeValue> rest) {
        NavigableMap<List<AttributeValue>, Map<String, AttributeValue>> partition = partitions.get(hash);
        if (partition == null) {
            return null;
        }
        Map<String, AttributeValue> removed = partition.remove(rest);
        if (removed != null) {
            size--;
            if (partition.isEmpty()) {
                partitions.remove(hash);
            }
        }
        return removed;
    }

    /** One partition's items in key order (or reversed), strictly after {@code after} when it is given. */
    Iterator<Map<String, AttributeValue>> partition(AttributeValue hash, List<AttributeValue> after, boolean forward) {
        NavigableMap<List<AttributeValue>, Map<String, AttributeValue>> partition = partitions.get(hash);
        if (partition == null) {
            return Collections.emptyIterator();
        }
        NavigableMap<List<AttributeValue>, Map<String, AttributeValue>> ordered = forward ? partition
                : partition.descendingMap();
        return (after == null ? ordered : ordered.tailMap(after, false)).values().iterator();
    }

    /** Every item, partition by partition, strictly after the given position when one is given. */
    Iterator<Map<String, AttributeValue>> all(AttributeValue afterHash, List<AttributeValue> afterRest) {
        NavigableMap<AttributeValue, NavigableMap<List<AttributeValue>, Map<String, AttributeValue>>> remaining =
                afterHash == null ? partitions : partitions.tailMap(afterHash, true);
        Iterator<Map.Entry<AttributeValue, NavigableMap<List<AttributeValue>, Map<String, AttributeValue>>>> outer =
                remaining.entrySet().iterator();
        return new Iterator<>() {
            private Iterator<Map<String, AttributeValue>> inner = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!inner.hasNext() && outer.hasNext()) {
                    Map.Entry<AttributeValue, NavigableMap<List<AttributeValue>, Map<String, AttributeValue>>> next =
                            outer.next();
                    boolean resumes = afterHash != null && KeyOrder.INSTANCE.compare(next.getKey(), afterHash) == 0;
                    inner = (resumes ? next.getValue().tailMap(afterRest, false) : next.getValue()).values()
                            .iterator();
                }
                return inner.hasNext();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return inner.next();
            }
        };
    }

    Iterable<Map<String, AttributeValue>> items() {
        return () -> all(null, null);
    }
}
