package dev.spillway.local.dynamo.expression;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;

/** Short builders for attribute values and items in tests. */
final class Items {

    private Items() {
    }

    /** An item (or map) from alternating names and values. */
    static Map<String, AttributeValue> item(Object... namesAndValues) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            item.put((String) namesAndValues[i], (AttributeValue) namesAndValues[i + 1]);
        }
        return item;
    }

    static AttributeValue.S s(String value) {
        return AttributeValue.s(value);
    }

    static AttributeValue.N n(String value) {
        return AttributeValue.n(value);
    }

    static AttributeValue.B b(int... bytes) {
        byte[] content = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            content[i] = (byte) bytes[i];
        }
        return new AttributeValue.B(new AttributeValue.Bytes(content));
    }

    static AttributeValue.Bool bool(boolean value) {
        return new AttributeValue.Bool(value);
    }

    static AttributeValue.Null nul() {
        return new AttributeValue.Null();
    }

    static AttributeValue.L l(AttributeValue... elements) {
        return new AttributeValue.L(List.of(elements));
    }

    static AttributeValue.M m(Object... namesAndValues) {
        return new AttributeValue.M(item(namesAndValues));
    }

    static AttributeValue.SS ss(String... members) {
        return new AttributeValue.SS(new LinkedHashSet<>(Arrays.asList(members)));
    }

    static AttributeValue.NS ns(String... members) {
        LinkedHashSet<BigDecimal> numbers = new LinkedHashSet<>();
        for (String member : members) {
            numbers.add(new BigDecimal(member));
        }
        return new AttributeValue.NS(numbers);
    }

    static Map<String, String> names(String... placeholdersAndNames) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < placeholdersAndNames.length; i += 2) {
            names.put(placeholdersAndNames[i], placeholdersAndNames[i + 1]);
        }
        return names;
    }
}
