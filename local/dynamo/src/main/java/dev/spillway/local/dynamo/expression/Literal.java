package dev.spillway.local.dynamo.expression;

import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * An expression attribute value, the same constant in a condition and on the right of a SET; {@code value} is null
 * only when the placeholder was undefined (the parse then fails before anything is evaluated).
 */
record Literal(AttributeValue value) implements Operand, UpdateValue {

    @Override
    public AttributeValue evaluate(Map<String, AttributeValue> item) {
        return value;
    }

    @Override
    public String staticType() {
        return literalType();
    }

    @Override
    public String literalType() {
        return value == null ? null : value.type();
    }
}
