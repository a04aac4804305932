package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.spillway.local.dynamo.expression.ConditionNodes.And;
import dev.spillway.local.dynamo.expression.ConditionNodes.Between;
import dev.spillway.local.dynamo.expression.ConditionNodes.Comparison;
import dev.spillway.local.dynamo.expression.ConditionNodes.FunctionCall;
import dev.spillway.local.dynamo.expression.ConditionNodes.In;
import dev.spillway.local.dynamo.expression.ConditionNodes.Not;
import dev.spillway.local.dynamo.expression.ConditionNodes.Or;
import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * Recursive-descent parser of the condition language (ConditionExpression, FilterExpression,
 * KeyConditionExpression). Precedence: NOT binds tighter than AND, AND tighter than OR. Alternatives backtrack;
 * results are memoised by position so nested parentheses stay linear.
 */
final class ConditionParser extends TokenParser {

    private static final Set<String> KEYWORDS = Set.of("BETWEEN", "IN", "AND", "OR", "NOT");
    private static final Set<String> COMPARATORS = Set.of("=", "<>", "<", "<=", ">", ">=");

    /** What a parse from some position gave, and where it ended. */
    private record Memo<T>(T result, int end) {
    }

    private final Map<Integer, Memo<Condition>> orMemo = new HashMap<>();
    private final Map<Integer, Memo<Operand>> operandMemo = new HashMap<>();
    private final Map<Integer, Memo<List<Object>>> pathMemo = new HashMap<>();
    private final Set<String> heads = new LinkedHashSet<>();
    private final Set<String> nestedHeads = new LinkedHashSet<>();
    private final ConditionChecks checks = new ConditionChecks(this);

    ConditionParser(String kind, String source, ExpressionContext context) {
        super(kind, source, context, KEYWORDS);
    }

    /** The parsed condition, which also tells the attributes it reads. */
    Condition parse() {
        Condition root = parseTree();
        return new ParsedCondition(root, Collections.unmodifiableSet(heads), Collections.unmodifiableSet(nestedHeads));
    }

    /** The bare tree of condition nodes. */
    Condition parseTree() {
        Condition condition = or();
        if (condition == null) {
            throw syntaxError();
        }
        expectEnd();
        checks.misusedSize(condition);
        throwFirstError("parens", "unknownFunction", "misusedFunction", "reserved", "condition");
        return condition;
    }

    /** Parses once per position: backtracking retries the same alternatives many times. */
    private <T> T memoised(Map<Integer, Memo<T>> memo, Supplier<T> parse) {
        int start = position;
        Memo<T> known = memo.get(start);
        if (known != null) {
            position = known.end();
            return known.result();
        }
        T result = parse.get();
        memo.put(start, new Memo<>(result, position));
        return result;
    }

    private Condition or() {
        return memoised(orMemo, this::unmemoisedOr);
    }

    private Condition unmemoisedOr() {
        int start = position;
        Condition result = and();
        if (result != null) {
            int afterLeft = position;
            Condition right = keyword("OR") ? or() : null;
            if (right != null) {
                checks.misusedSize(result);
                checks.misusedSize(right);
                result = new Or(result, right);
            } else {
                position = afterLeft;
            }
        } else {
            position = start;
        }
        return result;
    }

    private Condition and() {
        Condition left = not();
        if (left == null) {
            return null;
        }
        int afterLeft = position;
        Condition right = keyword("AND") ? and() : null;
        if (right == null) {
            position = afterLeft;
            return left;
        }
        checks.misusedSize(left);
        checks.misusedSize(right);
        return new And(left, right);
    }

    private Condition not() {
        int start = position;
        if (keyword("NOT")) {
            Condition operand = parens();
            if (operand != null) {
                checks.misusedSize(operand);
                return new Not(operand);
            }
            position = start;
        }
        return parens();
    }

    private Condition parens() {
        Condition grouped = inRedundantParentheses(this::or);
        if (grouped != null) {
            return grouped;
        }
        Condition single = inRedundantParentheses(this::condition);
        if (single == null) {
            single = condition();
        }
        if (single != null) {
            checks.conditionErrors();
            return single;
        }
        return parenthesised(this::or);
    }

    /** {@code (( inner ))}, noting the redundant parentheses DynamoDB rejects; else null, nothing consumed. */
    private <T> T inRedundantParentheses(Supplier<T> inner) {
        T enclosed = doublyParenthesised(inner);
        if (enclosed != null) {
            checks.redundantParentheses();
        }
        return enclosed;
    }

    private Condition condition() {
        int start = position;
        Operand left = operandParens();
        if (left != null) {
            int afterLeft = position;
            String comparator = comparator();
            Operand right = comparator == null ? null : operandParens();
            if (right != null) {
                checks.misusedFunction(List.of(left, right));
                checks.distinct(comparator, List.of(left, right));
                return new Comparison(comparator, left, right);
            }
            position = afterLeft;
            if (keyword("BETWEEN")) {
                Operand lower = operandParens();
                Operand upper = lower != null && keyword("AND") ? operandParens() : null;
                if (upper != null) {
                    checks.misusedFunction(List.of(left, lower, upper));
                    checks.betweenBounds(lower, upper);
                    return new Between(left, lower, upper);
                }
            }
            position = afterLeft;
            List<Operand> candidates = keyword("IN") ? parenthesised(this::arguments) : null;
            if (candidates != null) {
                List<Operand> all = new ArrayList<>(candidates.size() + 1);
                all.add(left);
                all.addAll(candidates);
                checks.misusedFunction(all);
                return new In(left, candidates);
            }
        }
        position = start;
        FunctionCall function = function();
        if (function == null) {
            position = start;
        }
        return function;
    }

    private String comparator() {
        Token token = current();
        if (token.kind() == Token.Kind.SYMBOL && COMPARATORS.contains(token.text())) {
            position++;
            return token.text();
        }
        miss();
        return null;
    }

    private Operand operandParens() {
        Operand redundant = inRedundantParentheses(this::operand);
        return redundant != null ? redundant : optionallyParenthesised(this::operand);
    }

    private Operand operand() {
        return memoised(operandMemo, this::unmemoisedOperand);
    }

    private Operand unmemoisedOperand() {
        int start = position;
        Operand result = function();
        if (result == null) {
            position = start;
            Token value = take(Token.Kind.VALUE);
            if (value != null) {
                result = new Literal(attributeValue(value, "attrNameVal"));
            } else {
                List<Object> path = path();
                result = path == null ? null : new Operand.Path(resolvePath(path));
            }
        }
        if (result == null) {
            position = start;
        }
        return result;
    }

    private FunctionCall function() {
        Call<Operand> call = call(this::operandParens);
        if (call == null) {
            return null;
        }
        checks.misusedFunction(call.args());
        String type = checks.checkFunction(call.name(), call.args());
        return new FunctionCall(call.name(), List.copyOf(call.args()), type);
    }

    private List<Operand> arguments() {
        return commaSeparated(this::operandParens);
    }

    /** Raw path elements: identifier or name-placeholder tokens and Integer indexes. */
    private List<Object> path() {
        List<Object> parsed = memoised(pathMemo, this::unmemoisedPath);
        // a copy: the caller may extend it with further steps
        return parsed == null ? null : new ArrayList<>(parsed);
    }

    private List<Object> unmemoisedPath() {
        int start = position;
        List<Object> elements = groupedPath();
        if (elements == null) {
            position = start;
            return null;
        }
        pathSteps(elements, this::nameToken);
        return List.copyOf(elements);
    }

    /** A path's head, possibly in parentheses (only the head and its steps may be grouped). */
    private List<Object> groupedPath() {
        Token head = nameToken();
        if (head != null) {
            List<Object> elements = new ArrayList<>();
            elements.add(head);
            return elements;
        }
        List<Object> redundant = inRedundantParentheses(this::path);
        return redundant != null ? redundant : parenthesised(this::path);
    }

    /** Names are resolved only once a path is part of an operand, so backtracked paths note no errors. */
    private DocumentPath resolvePath(List<Object> raw) {
        List<Object> elements = new ArrayList<>(raw.size());
        for (Object element : raw) {
            elements.add(element instanceof Token token ? attributeName(token, "attrNameVal") : element);
        }
        DocumentPath path = new DocumentPath(elements);
        heads.add(path.head());
        if (path.isNested()) {
            nestedHeads.add(path.head());
        }
        return path;
    }

    /** A parsed condition with the attributes it reads. */
    private record ParsedCondition(Condition root, Set<String> topLevelAttributes, Set<String> nestedAttributes)
            implements Condition {
        @Override
        public boolean test(Map<String, AttributeValue> item) {
            return root.test(item);
        }
    }
}
