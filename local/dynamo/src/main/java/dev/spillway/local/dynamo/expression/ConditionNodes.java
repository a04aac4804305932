package dev.spillway.local.dynamo.expression;

import java.util.List;
import java.util.Map;

import dev.spillway.local.dynamo.value.AttributeValue;

/** The nodes of a parsed condition. */
final class ConditionNodes {

    private ConditionNodes() {
    }

    record And(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return left.test(item) && right.test(item);
        }
    }

    record Or(Condition left, Condition right) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return left.test(item) || right.test(item);
        }
    }

    record Not(Condition operand) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return !operand.test(item);
        }
    }

    /** {@code = <> < <= > >=}; values of different types are never equal nor ordered, so only {@code <>} holds. */
    record Comparison(String operator, Operand left, Operand right) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue a = left.evaluate(item);
            AttributeValue b = right.evaluate(item);
            return switch (operator) {
                case "=" -> Values.equal(a, b);
                case "<>" -> !Values.equal(a, b) && (a != null || b != null); // as dynalite: two missing are alike
                default -> Values.ordered(a, b) && holds(operator, Values.compare(a, b));
            };
        }

        static boolean holds(String operator, int comparison) {
            return switch (operator) {
                case "<" -> comparison < 0;
                case "<=" -> comparison <= 0;
                case ">" -> comparison > 0;
                case ">=" -> comparison >= 0;
                default -> comparison == 0;
            };
        }
    }

    record Between(Operand operand, Operand lower, Operand upper) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue value = operand.evaluate(item);
            AttributeValue low = lower.evaluate(item);
            AttributeValue high = upper.evaluate(item);
            return Values.ordered(value, low) && Values.ordered(value, high)
                    && Values.compare(low, value) <= 0 && Values.compare(value, high) <= 0;
        }
    }

    record In(Operand operand, List<Operand> candidates) implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            AttributeValue value = operand.evaluate(item);
            if (value == null) {
                return false;
            }
            for (Operand candidate : candidates) {
                if (value.equals(candidate.evaluate(item))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A function call: a condition itself, or with {@code size} an operand. */
    record FunctionCall(String name, List<Operand> args, String staticType) implements Condition, Operand {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return switch (name) {
                case "attribute_exists" -> args.get(0).evaluate(item) != null;
                case "attribute_not_exists" -> args.get(0).evaluate(item) == null;
                case "attribute_type" -> {
                    AttributeValue value = args.get(0).evaluate(item);
                    yield value != null && args.get(1).evaluate(item) instanceof AttributeValue.S type
                            && value.type().equals(type.value());
                }
                case "begins_with" -> Values.beginsWith(args.get(0).evaluate(item), args.get(1).evaluate(item));
                case "contains" -> Values.contains(args.get(0).evaluate(item), args.get(1).evaluate(item));
                default -> false;
            };
        }

        @Override
        public AttributeValue evaluate(Map<String, AttributeValue> item) {
            return "size".equals(name) ? Values.size(args.get(0).evaluate(item)) : null;
        }
    }
}
