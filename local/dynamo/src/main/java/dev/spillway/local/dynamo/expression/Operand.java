package dev.spillway.local.dynamo.expression;

import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A value inside a condition: a document path, an attribute value ({@link Literal}) or {@code size(...)}. */
interface Operand {

    /** The value for this item, or null when it does not exist. */
    AttributeValue evaluate(Map<String, AttributeValue> item);

    /** The type known before evaluation (a literal's type, N for size), or null when only the item tells. */
    default String staticType() {
        return null;
    }

    /** A document path operand. */
    record Path(DocumentPath path) implements Operand {
        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            return path.resolve(item);
        }
    }
}
