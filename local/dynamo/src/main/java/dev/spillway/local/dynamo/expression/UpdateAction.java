package dev.spillway.local.dynamo.expression;

import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.Numbers;

/**
 * One action of an update expression. {@code value} is the SET right-hand side; {@code operand} the ADD/DELETE
 * value (a number or a set).
 */
record UpdateAction(Type type, DocumentPath path, UpdateValue value, AttributeValue operand) {

    enum Type { SET, REMOVE, ADD, DELETE }

    /** Applies the action; {@code setValue} was computed from the item before any action ran. */
    void apply(WorkingItem item, AttributeValue setValue) {
        Object parent = item.parentOf(path);
        Object key = path.elements().get(path.size() - 1);
        switch (type) {
            case SET -> item.put(parent, key, setValue);
            case REMOVE -> item.remove(parent, key);
            case ADD -> {
                AttributeValue existing = item.get(parent, key);
                checkSameType(existing);
                item.put(parent, key, existing == null ? operand : add(existing, operand));
            }
            case DELETE -> {
                AttributeValue existing = item.get(parent, key);
                if (existing != null) {
                    checkSameType(existing);
                    AttributeValue rest = difference(existing, operand);
                    if (rest == null) {
                        item.remove(parent, key);
                    } else {
                        item.put(parent, key, rest);
                    }
                }
            }
        }
    }

    private void checkSameType(AttributeValue existing) {
        if (existing != null && !existing.type().equals(operand.type())) {
            throw UpdateValue.incorrectDataType();
        }
    }

    private static AttributeValue add(AttributeValue existing, AttributeValue operand) {
        if (existing instanceof AttributeValue.N a && operand instanceof AttributeValue.N b) {
            return new AttributeValue.N(Numbers.check(a.value().add(b.value())));
        }
        if (existing instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) {
            Set<String> union = new LinkedHashSet<>(a.value());
            union.addAll(b.value());
            return new AttributeValue.SS(union);
        }
        if (existing instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) {
            Set<BigDecimal> union = new LinkedHashSet<>(a.value());
            union.addAll(b.value());
            return new AttributeValue.NS(union);
        }
        AttributeValue.BS a = (AttributeValue.BS) existing;
        Set<AttributeValue.Bytes> union = new LinkedHashSet<>(a.value());
        union.addAll(((AttributeValue.BS) operand).value());
        return new AttributeValue.BS(union);
    }

    /** The set without the operand's members, or null when nothing is left (DynamoDB then removes it). */
    private static AttributeValue difference(AttributeValue existing, AttributeValue operand) {
        if (existing instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) {
            Set<String> rest = new LinkedHashSet<>(a.value());
            rest.removeAll(b.value());
            return rest.isEmpty() ? null : new AttributeValue.SS(rest);
        }
        if (existing instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) {
            Set<BigDecimal> rest = new LinkedHashSet<>(a.value());
            rest.removeAll(b.value());
            return rest.isEmpty() ? null : new AttributeValue.NS(rest);
        }
        if (existing instanceof AttributeValue.BS a && operand instanceof AttributeValue.BS b) {
            Set<AttributeValue.Bytes> rest = new LinkedHashSet<>(a.value());
            rest.removeAll(b.value());
            return rest.isEmpty() ? null : new AttributeValue.BS(rest);
        }
        throw UpdateValue.incorrectDataType();
    }
}
