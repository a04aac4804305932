package dev.spillway.local.dynamo.expression;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * A resolved document path such as {@code a.b[2].c}: each element is a map key ({@link String}) or a list index
 * ({@link Integer}); the first is always a top-level attribute name.
 */
record DocumentPath(List<Object> elements) {

    public DocumentPath {
        elements = List.copyOf(elements);
    }

    String head() {
        return (String) elements.get(0);
    }

    int size() {
        return elements.size();
    }

    boolean isNested() {
        return elements.size() > 1;
    }

    /** The value at this path, or null when any step is missing or of the wrong type. */
    AttributeValue resolve(Map<String, AttributeValue> item) {
        AttributeValue current = item.get(head());
        for (int i = 1; i < elements.size() && current != null; i++) {
            current = step(current, elements.get(i));
        }
        return current;
    }

    static AttributeValue step(AttributeValue container, Object element) {
        if (element instanceof Integer index) {
            return container instanceof AttributeValue.L list && index < list.value().size()
                    ? list.value().get(index) : null;
        }
        return container instanceof AttributeValue.M map ? map.value().get((String) element) : null;
    }

    /** As DynamoDB prints paths in messages: {@code [a, b, [2]]}. */
    @Override
    public String toString() {
        return elements.stream().map(e -> e instanceof Integer ? "[" + e + "]" : (String) e)
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
