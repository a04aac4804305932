package dev.spillway.local.dynamo.expression;

import java.util.List;
import java.util.Optional;

import dev.spillway.local.dynamo.value.AttributeValue;

/** A parsed KeyConditionExpression, checked against the key schema of the table or index queried. */
public interface KeyCondition {

    /** The value the hash key must equal. */
    AttributeValue hashValue();

    /** Empty when the expression names only the hash key. */
    Optional<RangeCondition> range();

    /** The condition on the range key; {@code operands} holds one value, or two for BETWEEN. */
    record RangeCondition(Operator operator, List<AttributeValue> operands) {

        public RangeCondition {
            operands = List.copyOf(operands);
        }

        /** Whether a range key value satisfies the condition; values of another type never do. */
        public boolean test(AttributeValue value) {
            AttributeValue first = operands.get(0);
            return switch (operator) {
                case EQ -> Values.equal(value, first);
                case LT -> Values.ordered(value, first) && Values.compare(value, first) < 0;
                case LE -> Values.ordered(value, first) && Values.compare(value, first) <= 0;
                case GT -> Values.ordered(value, first) && Values.compare(value, first) > 0;
                case GE -> Values.ordered(value, first) && Values.compare(value, first) >= 0;
                case BETWEEN -> Values.ordered(value, first) && Values.ordered(value, operands.get(1))
                        && Values.compare(first, value) <= 0 && Values.compare(value, operands.get(1)) <= 0;
                case BEGINS_WITH -> Values.beginsWith(value, first);
            };
        }
    }

    enum Operator { EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH }
}
