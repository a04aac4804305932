package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * A copy of an item being updated: maps and lists on updated paths become mutable on first touch, the rest stays
 * shared. Removed list elements leave a hole until {@link #toItem()}, so every action of one expression addresses
 * list elements by their original index, as DynamoDB does.
 */
final class WorkingItem {

    private static final Object REMOVED = new Object();

    /** A value set past the end of a list: appended, ordered among such values by the index written. */
    private record Appended(int index, AttributeValue value) {
    }

    private final Map<String, Object> root;

    WorkingItem(Map<String, AttributeValue> item) {
        this.root = new LinkedHashMap<>(item);
    }

    /** The map or list that holds the last element of the path. */
    Object parentOf(DocumentPath path) {
        Object container = root;
        List<Object> elements = path.elements();
        for (int i = 0; i < elements.size() - 1 && container != null; i++) {
            container = mutableChild(container, elements.get(i));
        }
        Object last = elements.get(elements.size() - 1);
        boolean fits = last instanceof Integer ? container instanceof List : container instanceof Map;
        if (!fits) {
            throw DynamoException.validation("The document path provided in the update expression is invalid for update");
        }
        return container;
    }

    AttributeValue get(Object parent, Object key) {
        return freeze(child(parent, key));
    }

    @SuppressWarnings("unchecked")
    void put(Object parent, Object key, AttributeValue value) {
        if (parent instanceof Map<?, ?> map) {
            ((Map<Object, Object>) map).put(key, value);
            return;
        }
        List<Object> list = (List<Object>) parent;
        int index = (Integer) key;
        if (index < list.size() && !(list.get(index) instanceof Appended)) {
            list.set(index, value);
            return;
        }
        // past the end appends, as DynamoDB does; several such values keep the order of their indexes
        int at = list.size();
        while (at > 0 && list.get(at - 1) instanceof Appended earlier && earlier.index() > index) {
            at--;
        }
        list.add(at, new Appended(index, value));
    }

    @SuppressWarnings("unchecked")
    void remove(Object parent, Object key) {
        if (parent instanceof Map<?, ?> map) {
            map.remove(key);
            return;
        }
        List<Object> list = (List<Object>) parent;
        int index = (Integer) key;
        if (index < list.size()) {
            list.set(index, REMOVED);
        }
    }

    Map<String, AttributeValue> toItem() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        root.forEach((name, value) -> item.put(name, freeze(value)));
        return item;
    }

    private static Object child(Object container, Object key) {
        if (container instanceof Map<?, ?> map && key instanceof String) {
            return map.get(key);
        }
        if (container instanceof List<?> list && key instanceof Integer index && index < list.size()) {
            Object element = list.get(index);
            return element == REMOVED ? null : element instanceof Appended appended ? appended.value() : element;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Object mutableChild(Object container, Object key) {
        Object child = child(container, key);
        Object mutable;
        if (child instanceof AttributeValue.M m) {
            mutable = new LinkedHashMap<Object, Object>(m.value());
        } else if (child instanceof AttributeValue.L l) {
            mutable = new ArrayList<Object>(l.value());
        } else {
            return child;
        }
        if (container instanceof Map<?, ?> map) {
            ((Map<Object, Object>) map).put(key, mutable);
        } else {
            ((List<Object>) container).set((Integer) key, mutable);
        }
        return mutable;
    }

    private static AttributeValue freeze(Object node) {
        if (node == null || node instanceof AttributeValue) {
            return (AttributeValue) node;
        }
        if (node instanceof Appended appended) {
            return appended.value();
        }
        if (node instanceof List<?> list) {
            List<AttributeValue> elements = new ArrayList<>(list.size());
            for (Object element : list) {
                if (element != REMOVED) {
                    elements.add(freeze(element));
                }
            }
            return new AttributeValue.L(elements);
        }
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        ((Map<?, ?>) node).forEach((key, value) -> map.put((String) key, freeze(value)));
        return new AttributeValue.M(map);
    }
}
