package dev.spillway.local.dynamo.value;

import java.util.Comparator;
import java.util.List;

/**
 * DynamoDB's order of key values: strings by their UTF-8 bytes, numbers numerically, binaries by unsigned bytes.
 * Only scalar key types (S, N, B) are compared; a missing value (null) sorts first.
 */
public final class KeyOrder implements Comparator<AttributeValue> {

    public static final KeyOrder INSTANCE = new KeyOrder();

    /** Compares lists of key values element by element, for composite storage keys. */
    public static final Comparator<List<AttributeValue>> LISTS = (left, right) -> {
        int common = Math.min(left.size(), right.size());
        for (int i = 0; i < common; i++) {
            int order = INSTANCE.compare(left.get(i), right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.size(), right.size());
    };

    private KeyOrder() {
    }

    @Override
    public int compare(AttributeValue left, AttributeValue right) {
        if (left == null || right == null) {
            return left == right ? 0 : left == null ? -1 : 1;
        }
        if (left instanceof AttributeValue.N a && right instanceof AttributeValue.N b) {
            return a.value().compareTo(b.value());
        }
        if (left instanceof AttributeValue.S a && right instanceof AttributeValue.S b) {
            return compareUtf8(a.value(), b.value());
        }
        if (left instanceof AttributeValue.B a && right instanceof AttributeValue.B b) {
            return a.value().compareTo(b.value());
        }
        return left.type().compareTo(right.type());
    }

    /** UTF-8 byte order equals code point order, which differs from Java's UTF-16 order only around surrogates. */
    public static int compareUtf8(String left, String right) {
        int i = 0;
        int j = 0;
        while (i < left.length() && j < right.length()) {
            int a = left.codePointAt(i);
            int b = right.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(left.length() - i, right.length() - j);
    }
}
