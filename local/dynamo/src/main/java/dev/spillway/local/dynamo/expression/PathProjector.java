package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * Copies the values at some document paths out of an item, keeping their nesting: list elements keep their order
 * and close up ({@code l[1]} of a list gives a one-element list), map entries keep their keys.
 */
final class PathProjector {

    private PathProjector() {
    }

    static Map<String, AttributeValue> project(List<DocumentPath> paths, Map<String, AttributeValue> item) {
        Map<Object, Object> root = new LinkedHashMap<>();
        for (DocumentPath path : paths) {
            AttributeValue value = path.resolve(item);
            if (value != null) {
                place(root, path.elements(), value);
            }
        }
        Map<String, AttributeValue> result = new LinkedHashMap<>();
        root.forEach((name, value) -> result.put((String) name, freeze(value)));
        return result;
    }

    @SuppressWarnings("unchecked")
    private static void place(Map<Object, Object> root, List<Object> elements, AttributeValue value) {
        Map<Object, Object> container = root;
        for (int i = 0; i < elements.size() - 1; i++) {
            Object next = elements.get(i + 1);
            Object child = container.computeIfAbsent(elements.get(i),
                    key -> next instanceof Integer ? new TreeMap<Integer, Object>() : new LinkedHashMap<String, Object>());
            boolean fits = next instanceof Integer ? child instanceof TreeMap : child instanceof LinkedHashMap;
            if (!fits) {
                return; // a conflicting path; the parsers reject these, so this is only a guard
            }
            container = (Map<Object, Object>) child;
        }
        container.put(elements.get(elements.size() - 1), value);
    }

    private static AttributeValue freeze(Object node) {
        if (node instanceof AttributeValue value) {
            return value;
        }
        if (node instanceof TreeMap<?, ?> list) {
            List<AttributeValue> elements = new ArrayList<>(list.size());
            list.values().forEach(element -> elements.add(freeze(element)));
            return new AttributeValue.L(elements);
        }
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        ((Map<?, ?>) node).forEach((key, value) -> map.put((String) key, freeze(value)));
        return new AttributeValue.M(map);
    }
}
