package dev.spillway.local.dynamo.value;

import java.math.BigDecimal;
import java.util.Map;

/** DynamoDB's item size: each attribute name's UTF-8 length plus its value's size, as the 400 KB limit counts it. */
public final class ItemSize {

    /** 400 KB, the largest item DynamoDB stores. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;

    private ItemSize() {
    }

    public static int of(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8Length(attribute.getKey()) + of(attribute.getValue());
        }
        return size;
    }

    public static int of(AttributeValue value) {
        if (value instanceof AttributeValue.S s) {
            return utf8Length(s.value());
        } else if (value instanceof AttributeValue.N n) {
            return numberSize(n.value());
        } else if (value instanceof AttributeValue.B b) {
            return b.value().length();
        } else if (value instanceof AttributeValue.SS ss) {
            return ss.value().stream().mapToInt(ItemSize::utf8Length).sum();
        } else if (value instanceof AttributeValue.NS ns) {
            return ns.value().stream().mapToInt(ItemSize::numberSize).sum();
        } else if (value instanceof AttributeValue.BS bs) {
            return bs.value().stream().mapToInt(AttributeValue.Bytes::length).sum();
        } else if (value instanceof AttributeValue.L l) {
            // 3 bytes of overhead for the list, 1 per element
            return 3 + l.value().stream().mapToInt(member -> 1 + of(member)).sum();
        } else if (value instanceof AttributeValue.M m) {
            return 3 + m.value().size() + of(m.value());
        }
        return 1; // BOOL, NULL
    }

    /** Numbers are stored as base-100 digits: about one byte per two significant digits, plus one. */
    private static int numberSize(BigDecimal number) {
        if (number.signum() == 0) {
            return 1;
        }
        BigDecimal stripped = number.stripTrailingZeros();
        int digits = stripped.precision();
        int exponent = digits - stripped.scale() - 1;
        boolean unevenAlignment = digits % 2 == 0 && Math.floorMod(exponent, 2) == 0;
        return 1 + (digits + 1) / 2 + (unevenAlignment ? 1 : 0) + (number.signum() < 0 ? 1 : 0);
    }

    static int utf8Length(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }
}
