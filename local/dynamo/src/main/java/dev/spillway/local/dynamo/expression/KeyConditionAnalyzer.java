package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.spillway.local.dynamo.expression.ConditionNodes.And;
import dev.spillway.local.dynamo.expression.ConditionNodes.Between;
import dev.spillway.local.dynamo.expression.ConditionNodes.Comparison;
import dev.spillway.local.dynamo.expression.ConditionNodes.FunctionCall;
import dev.spillway.local.dynamo.expression.ConditionNodes.In;
import dev.spillway.local.dynamo.expression.ConditionNodes.Not;
import dev.spillway.local.dynamo.expression.ConditionNodes.Or;
import dev.spillway.local.dynamo.expression.KeyCondition.Operator;
import dev.spillway.local.dynamo.expression.KeyCondition.RangeCondition;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * Turns a parsed condition into a key condition: one condition per key attribute joined by AND, the hash key by
 * equality, with DynamoDB's messages for everything else.
 */
final class KeyConditionAnalyzer {

    private static final Set<String> NON_KEY_FUNCTIONS = Set.of("attribute_exists", "attribute_not_exists",
            "attribute_type", "contains");
    private static final Map<Operator, Set<String>> ALLOWED_TYPES = Map.of(
            Operator.EQ, Set.of("S", "N", "B", "SS", "NS", "BS"),
            Operator.LT, Set.of("S", "N", "B"), Operator.LE, Set.of("S", "N", "B"),
            Operator.GT, Set.of("S", "N", "B"), Operator.GE, Set.of("S", "N", "B"),
            Operator.BETWEEN, Set.of("S", "N", "B"), Operator.BEGINS_WITH, Set.of("S", "B"));

    private final Map<String, RangeCondition> conditions = new LinkedHashMap<>();

    private KeyConditionAnalyzer() {
    }

    /**
     * @param hashType  the hash key's type (S, N or B) to check the values against, or null not to check
     * @param rangeType likewise for the range key
     */
    static KeyCondition analyze(Condition condition, String hashKey, String hashType, String rangeKey,
            String rangeType) {
        KeyConditionAnalyzer analyzer = new KeyConditionAnalyzer();
        analyzer.collect(condition);
        analyzer.validateValues();
        return analyzer.toKeyCondition(hashKey, hashType, rangeKey, rangeType);
    }

    private void collect(Condition node) {
        String invalidOperator = node instanceof Or ? "OR" : node instanceof Not ? "NOT" : node instanceof In ? "IN"
                : node instanceof Comparison c && c.operator().equals("<>") ? "<>"
                : node instanceof FunctionCall f && NON_KEY_FUNCTIONS.contains(f.name()) ? f.name() : null;
        if (invalidOperator != null) {
            throw fail("Invalid operator used in KeyConditionExpression: " + invalidOperator);
        }
        if (node instanceof FunctionCall f && f.name().equals("size")) {
            throw fail("KeyConditionExpressions cannot contain nested operations");
        }
        if (node instanceof Between between && !(between.operand() instanceof Operand.Path)) {
            throw fail("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as "
                    + "its first operand");
        }
        if (node instanceof FunctionCall f && !(f.args().get(0) instanceof Operand.Path)) {
            throw fail("Invalid condition in KeyConditionExpression: " + f.name() + " operator must have the key "
                    + "attribute as its first operand");
        }
        List<Object> args = arguments(node);
        String attribute = null;
        int attributeAt = 0;
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg instanceof Operand.Path path) {
                if (attribute != null) {
                    throw fail("Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
                            + "condition");
                }
                if (path.path().isNested()) {
                    throw fail("KeyConditionExpressions cannot have conditions on nested attributes");
                }
                attribute = path.path().head();
                attributeAt = i;
            } else if (arg instanceof Condition nested) {
                collect(nested);
            }
        }
        if (node instanceof And) {
            return;
        }
        if (attribute == null) {
            throw fail("Invalid condition in KeyConditionExpression: No key attribute specified");
        }
        if (conditions.containsKey(attribute)) {
            throw fail("KeyConditionExpressions must only contain one condition per key");
        }
        List<AttributeValue> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (i != attributeAt) {
                values.add(((Operand) args.get(i)).evaluate(Map.of()));
            }
        }
        conditions.put(attribute, new RangeCondition(operator(node, attributeAt != 0), values));
    }

    private static List<Object> arguments(Condition node) {
        if (node instanceof And and) {
            return List.of(and.left(), and.right());
        }
        if (node instanceof Comparison comparison) {
            return List.of(comparison.left(), comparison.right());
        }
        if (node instanceof Between between) {
            return List.of(between.operand(), between.lower(), between.upper());
        }
        return List.copyOf(((FunctionCall) node).args());
    }

    /** The operator as seen from the key attribute, mirrored when the attribute was written second. */
    private static Operator operator(Condition node, boolean mirrored) {
        if (node instanceof Between) {
            return Operator.BETWEEN;
        }
        if (node instanceof FunctionCall) {
            return Operator.BEGINS_WITH;
        }
        return switch (((Comparison) node).operator()) {
            case "<" -> mirrored ? Operator.GT : Operator.LT;
            case "<=" -> mirrored ? Operator.GE : Operator.LE;
            case ">" -> mirrored ? Operator.LT : Operator.GT;
            case ">=" -> mirrored ? Operator.LE : Operator.GE;
            default -> Operator.EQ;
        };
    }

    private void validateValues() {
        for (RangeCondition condition : conditions.values()) {
            List<AttributeValue> values = condition.operands();
            String type = values.get(0).type();
            if (values.stream().anyMatch(v -> !v.type().equals(type))) {
                throw fail("One or more parameter values were invalid: AttributeValues inside AttributeValueList must "
                        + "be of same type");
            }
            if (!ALLOWED_TYPES.get(condition.operator()).contains(type)) {
                throw fail("One or more parameter values were invalid: ComparisonOperator " + condition.operator()
                        + " is not valid for " + type + " AttributeValue type");
            }
            if (condition.operator() == Operator.BETWEEN && Values.compare(values.get(0), values.get(1)) > 0) {
                throw fail("The BETWEEN condition was provided a range where the lower bound is greater than the upper "
                        + "bound");
            }
        }
        if (conditions.size() > 2) {
            throw fail("Conditions can be of length 1 or 2 only");
        }
    }

    private KeyCondition toKeyCondition(String hashKey, String hashType, String rangeKey, String rangeType) {
        if (rangeKey == null && conditions.size() > 1) {
            throw fail("Query key condition not supported");
        }
        RangeCondition hash = conditions.get(hashKey);
        if (hash == null) {
            throw fail("Query condition missed key schema element: " + hashKey);
        }
        checkType(hash, hashType);
        if (hash.operator() != Operator.EQ) {
            throw fail("Query key condition not supported");
        }
        RangeCondition range = rangeKey == null ? null : conditions.get(rangeKey);
        if (rangeKey != null && range == null && conditions.size() > 1) {
            throw fail("Query condition missed key schema element: " + rangeKey);
        }
        if (range != null) {
            checkType(range, rangeType);
        }
        AttributeValue hashValue = hash.operands().get(0);
        Optional<RangeCondition> rangeCondition = Optional.ofNullable(range);
        return new KeyCondition() {
            @Override
            public AttributeValue hashValue() {
                return hashValue;
            }

            @Override
            public Optional<RangeCondition> range() {
                return rangeCondition;
            }
        };
    }

    private static void checkType(RangeCondition condition, String keyType) {
        if (keyType != null && condition.operands().stream().anyMatch(v -> !v.type().equals(keyType))) {
            throw fail("One or more parameter values were invalid: Condition parameter type does not match schema "
                    + "type");
        }
    }

    private static DynamoException fail(String message) {
        return DynamoException.validation(message);
    }
}
