package dev.spillway.local.dynamo.value;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One DynamoDB attribute value. Immutable; sets keep their members' insertion order (DynamoDB gives sets no order)
 * and numbers are held exactly as {@link BigDecimal}, normalised as DynamoDB returns them.
 */
public sealed interface AttributeValue {

    /** The wire type code: {@code S}, {@code N}, {@code B}, {@code BOOL}, {@code NULL}, {@code SS}, ... */
    String type();

    record S(String value) implements AttributeValue {
        public String type() {
            return "S";
        }
    }

    record N(BigDecimal value) implements AttributeValue {
        public N {
            value = Numbers.normalise(value);
        }

        public String type() {
            return "N";
        }

        /** As DynamoDB writes it: no exponent, no trailing zeros. */
        public String text() {
            return value.toPlainString();
        }
    }

    record B(Bytes value) implements AttributeValue {
        public String type() {
            return "B";
        }
    }

    record Bool(boolean value) implements AttributeValue {
        public String type() {
            return "BOOL";
        }
    }

    record Null() implements AttributeValue {
        public String type() {
            return "NULL";
        }
    }

    record SS(Set<String> value) implements AttributeValue {
        public SS {
            value = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(value));
        }

        public String type() {
            return "SS";
        }
    }

    /** Members are normalised, so {@code 1} and {@code 1.0} are one member, as in DynamoDB. */
    record NS(Set<BigDecimal> value) implements AttributeValue {
        public NS {
            java.util.LinkedHashSet<BigDecimal> normalised = new java.util.LinkedHashSet<>();
            value.forEach(n -> normalised.add(Numbers.normalise(n)));
            value = java.util.Collections.unmodifiableSet(normalised);
        }

        public String type() {
            return "NS";
        }
    }

    record BS(Set<Bytes> value) implements AttributeValue {
        public BS {
            value = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(value));
        }

        public String type() {
            return "BS";
        }
    }

    record L(List<AttributeValue> value) implements AttributeValue {
        public L {
            value = List.copyOf(value);
        }

        public String type() {
            return "L";
        }
    }

    /** A map keeps its keys' order as written, for readable output; equality ignores order. */
    record M(Map<String, AttributeValue> value) implements AttributeValue {
        public M {
            value = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(value));
        }

        public String type() {
            return "M";
        }
    }

    /** Binary content with value equality and DynamoDB's unsigned byte order. */
    record Bytes(byte[] bytes) implements Comparable<Bytes> {
        public Bytes {
            bytes = bytes.clone();
        }

        public static Bytes ofBase64(String base64) {
            return new Bytes(Base64.getDecoder().decode(base64));
        }

        public String base64() {
            return Base64.getEncoder().encodeToString(bytes);
        }

        public int length() {
            return bytes.length;
        }

        public boolean startsWith(Bytes prefix) {
            return bytes.length >= prefix.bytes.length
                    && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
        }

        @Override
        public int compareTo(Bytes other) {
            return Arrays.compareUnsigned(bytes, other.bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return base64();
        }
    }

    static S s(String value) {
        return new S(value);
    }

    static N n(String value) {
        return new N(new BigDecimal(value));
    }

    static N n(long value) {
        return new N(BigDecimal.valueOf(value));
    }
}
