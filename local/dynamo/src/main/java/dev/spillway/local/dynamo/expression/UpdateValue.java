package dev.spillway.local.dynamo.expression;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;
import dev.spillway.local.dynamo.value.Numbers;

/** The right-hand side of a SET action, evaluated against the item as it was before the update. */
interface UpdateValue {

    /** @throws DynamoException DynamoDB's runtime ValidationException */
    AttributeValue evaluate(Map<String, AttributeValue> item);

    /** The type known before evaluation, or null. */
    default String staticType() {
        return null;
    }

    /** The type when this is a literal value, else null (what operand checks of {@code +} and list_append see). */
    default String literalType() {
        return null;
    }

    static DynamoException incorrectDataType() {
        return DynamoException.validation("An operand in the update expression has an incorrect data type");
    }

    record Path(DocumentPath path) implements UpdateValue {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            AttributeValue value = path.resolve(item);
            if (value == null) {
                throw DynamoException.validation(
                        "The provided expression refers to an attribute that does not exist in the item");
            }
            return value;
        }
    }

    /** {@code a + b} or {@code a - b} on numbers, kept to DynamoDB's 38 digits. */
    record Arithmetic(boolean plus, UpdateValue left, UpdateValue right) implements UpdateValue {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            BigDecimal a = number(left.evaluate(item));
            BigDecimal b = number(right.evaluate(item));
            return new AttributeValue.N(Numbers.check(plus ? a.add(b) : a.subtract(b)));
        }

        private static BigDecimal number(AttributeValue value) {
            if (value instanceof AttributeValue.N n) {
                return n.value();
            }
            throw incorrectDataType();
        }

        @Override
        public String staticType() {
            return "N";
        }
    }

    record IfNotExists(DocumentPath path, UpdateValue fallback) implements UpdateValue {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            AttributeValue value = path.resolve(item);
            return value != null ? value : fallback.evaluate(item);
        }

        @Override
        public String staticType() {
            return fallback.staticType();
        }
    }

    record ListAppend(UpdateValue first, UpdateValue second) implements UpdateValue {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            List<AttributeValue> head = list(first.evaluate(item));
            List<AttributeValue> tail = list(second.evaluate(item));
            List<AttributeValue> joined = new ArrayList<>(head.size() + tail.size());
            joined.addAll(head);
            joined.addAll(tail);
            return new AttributeValue.L(joined);
        }

        private static List<AttributeValue> list(AttributeValue value) {
            if (value instanceof AttributeValue.L l) {
                return l.value();
            }
            throw incorrectDataType();
        }

        @Override
        public String staticType() {
            return "L";
        }
    }

    /** A function DynamoDB does not know; the parse always fails before one is evaluated. */
    record Unknown() implements UpdateValue {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            throw new IllegalStateException("unknown function");
        }
    }
}
