package dev.spillway.local.dynamo.expression;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.KeyOrder;

/** DynamoDB's comparison rules between attribute values. */
final class Values {

    private Values() {
    }

    /** Same type and same content; sets and maps ignore order, lists do not. Null never equals anything. */
    static boolean equal(AttributeValue a, AttributeValue b) {
        return a != null && a.equals(b);
    }

    /** True when both are S, N or B of the same type, the only types with an order. */
    static boolean ordered(AttributeValue a, AttributeValue b) {
        return a != null && b != null && a.getClass() == b.getClass()
                && (a instanceof AttributeValue.S || a instanceof AttributeValue.N || a instanceof AttributeValue.B);
    }

    /**
     * Compares two values for which {@link #ordered} holds: strings by code point (UTF-8 order), numbers
     * numerically, bytes unsigned; the order of key values.
     */
    static int compare(AttributeValue a, AttributeValue b) {
        return KeyOrder.INSTANCE.compare(a, b);
    }

    /** begins_with: a string prefix of a string, or a byte prefix of a binary; false for anything else. */
    static boolean beginsWith(AttributeValue value, AttributeValue prefix) {
        if (value instanceof AttributeValue.S s && prefix instanceof AttributeValue.S p) {
            return s.value().startsWith(p.value());
        }
        return value instanceof AttributeValue.B b && prefix instanceof AttributeValue.B p
                && b.value().startsWith(p.value());
    }

    /** contains: substring of S (or bytes of B), member of a set of the operand's type, element of a list. */
    static boolean contains(AttributeValue value, AttributeValue operand) {
        if (value == null || operand == null) {
            return false;
        }
        if (value instanceof AttributeValue.S s) {
            return operand instanceof AttributeValue.S o && s.value().contains(o.value());
        }
        if (value instanceof AttributeValue.B b) {
            return operand instanceof AttributeValue.B o && indexOf(b.value().bytes(), o.value().bytes()) >= 0;
        }
        if (value instanceof AttributeValue.SS ss) {
            return operand instanceof AttributeValue.S o && ss.value().contains(o.value());
        }
        if (value instanceof AttributeValue.NS ns) {
            return operand instanceof AttributeValue.N o && ns.value().contains(o.value());
        }
        if (value instanceof AttributeValue.BS bs) {
            return operand instanceof AttributeValue.B o && bs.value().contains(o.value());
        }
        return value instanceof AttributeValue.L list && list.value().contains(operand);
    }

    /** size(): characters of S, bytes of B, members of a set, list or map; null for other types or missing. */
    static AttributeValue size(AttributeValue value) {
        int size;
        if (value instanceof AttributeValue.S s) {
            size = s.value().length();
        } else if (value instanceof AttributeValue.B b) {
            size = b.value().length();
        } else if (value instanceof AttributeValue.SS s) {
            size = s.value().size();
        } else if (value instanceof AttributeValue.NS s) {
            size = s.value().size();
        } else if (value instanceof AttributeValue.BS s) {
            size = s.value().size();
        } else if (value instanceof AttributeValue.L l) {
            size = l.value().size();
        } else if (value instanceof AttributeValue.M m) {
            size = m.value().size();
        } else {
            return null;
        }
        return AttributeValue.n(size);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** How DynamoDB prints a value inside messages such as the BETWEEN bound errors. */
    static String display(AttributeValue value) {
        if (value instanceof AttributeValue.S s) {
            return s.value();
        }
        if (value instanceof AttributeValue.N n) {
            return n.text();
        }
        if (value instanceof AttributeValue.B b) {
            return b.value().base64();
        }
        if (value instanceof AttributeValue.Bool b) {
            return String.valueOf(b.value());
        }
        if (value instanceof AttributeValue.Null) {
            return "true";
        }
        if (value instanceof AttributeValue.SS s) {
            return String.join(",", s.value());
        }
        if (value instanceof AttributeValue.NS s) {
            return s.value().stream().map(java.math.BigDecimal::toPlainString)
                    .collect(java.util.stream.Collectors.joining(","));
        }
        if (value instanceof AttributeValue.BS s) {
            return s.value().stream().map(AttributeValue.Bytes::base64)
                    .collect(java.util.stream.Collectors.joining(","));
        }
        return "[object Object]";
    }
}
