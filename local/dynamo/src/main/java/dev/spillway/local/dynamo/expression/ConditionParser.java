package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    private record Memo(Object result, int end) {
    }

    private final Map<Integer, Memo> orMemo = new HashMap<>();
    private final Map<Integer, Memo> operandMemo = new HashMap<>();
    private final Map<Integer, Memo> pathMemo = new HashMap<>();
    private final Set<String> heads = new LinkedHashSet<>();
    private final Set<String> nestedHeads = new LinkedHashSet<>();
    private final ConditionChecks checks = new ConditionChecks(this);

    ConditionParser(String kind, String source, ExpressionContext context) {
        super(kind, source, context);
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

    private Condition or() {
        int start = position;
        Memo memo = orMemo.get(start);
        if (memo != null) {
            position = memo.end();
            return (Condition) memo.result();
        }
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
        orMemo.put(start, new Memo(result, position));
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
        int start = position;
        if (symbol("(") && symbol("(")) {
            Condition inner = or();
            if (inner != null && symbol(")") && symbol(")")) {
                checks.redundantParentheses();
                return inner;
            }
        }
        position = start;
        if (symbol("(") && symbol("(")) {
            Condition inner = condition();
            if (inner != null && symbol(")") && symbol(")")) {
                checks.redundantParentheses();
                checks.conditionErrors();
                return inner;
            }
        }
        position = start;
        Condition condition = condition();
        if (condition != null) {
            checks.conditionErrors();
            return condition;
        }
        position = start;
        if (symbol("(")) {
            Condition inner = or();
            if (inner != null && symbol(")")) {
                return inner;
            }
        }
        position = start;
        return null;
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
            if (keyword("IN") && symbol("(")) {
                List<Operand> candidates = arguments();
                if (candidates != null && symbol(")")) {
                    List<Operand> all = new ArrayList<>(candidates.size() + 1);
                    all.add(left);
                    all.addAll(candidates);
                    checks.misusedFunction(all);
                    return new In(left, candidates);
                }
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
        int start = position;
        if (symbol("(") && symbol("(")) {
            Operand inner = operand();
            if (inner != null && symbol(")") && symbol(")")) {
                checks.redundantParentheses();
                return inner;
            }
        }
        position = start;
        if (symbol("(")) {
            Operand inner = operand();
            if (inner != null && symbol(")")) {
                return inner;
            }
        }
        position = start;
        return operand();
    }

    private Operand operand() {
        int start = position;
        Memo memo = operandMemo.get(start);
        if (memo != null) {
            position = memo.end();
            return (Operand) memo.result();
        }
        Operand result = function();
        if (result == null) {
            position = start;
            Token value = take(Token.Kind.VALUE);
            if (value != null) {
                result = new Operand.Literal(resolveValue(value.text()));
            } else {
                List<Object> path = path();
                result = path == null ? null : new Operand.Path(resolvePath(path));
            }
        }
        if (result == null) {
            position = start;
        }
        operandMemo.put(start, new Memo(result, position));
        return result;
    }

    private FunctionCall function() {
        int start = position;
        Token name = current();
        if (name.kind() != Token.Kind.IDENTIFIER || isKeyword(name)) {
            miss();
            return null;
        }
        position++;
        if (symbol("(")) {
            List<Operand> args = arguments();
            if (args != null && symbol(")")) {
                checks.misusedFunction(args);
                String type = checks.checkFunction(name.text(), args);
                return new FunctionCall(name.text(), List.copyOf(args), type);
            }
        }
        position = start;
        return null;
    }

    private List<Operand> arguments() {
        Operand first = operandParens();
        if (first == null) {
            return null;
        }
        List<Operand> args = new ArrayList<>();
        args.add(first);
        while (true) {
            int save = position;
            Operand next = symbol(",") ? operandParens() : null;
            if (next == null) {
                position = save;
                return args;
            }
            args.add(next);
        }
    }

    /** Raw path elements: identifier or name-placeholder tokens and Integer indexes. */
    private List<Object> path() {
        int start = position;
        Memo memo = pathMemo.get(start);
        if (memo != null) {
            position = memo.end();
            @SuppressWarnings("unchecked")
            List<Object> cached = (List<Object>) memo.result();
            return cached == null ? null : new ArrayList<>(cached);
        }
        List<Object> elements = groupedPath();
        if (elements != null) {
            while (true) {
                int save = position;
                if (symbol("[")) {
                    Token number = take(Token.Kind.NUMBER);
                    if (number != null && symbol("]")) {
                        elements.add(index(number));
                        continue;
                    }
                }
                position = save;
                if (symbol(".")) {
                    Token identifier = identifier();
                    if (identifier != null) {
                        elements.add(identifier);
                        continue;
                    }
                }
                position = save;
                break;
            }
        } else {
            position = start;
        }
        pathMemo.put(start, new Memo(elements == null ? null : List.copyOf(elements), position));
        return elements;
    }

    private List<Object> groupedPath() {
        int start = position;
        Token identifier = identifier();
        if (identifier != null) {
            List<Object> elements = new ArrayList<>();
            elements.add(identifier);
            return elements;
        }
        if (symbol("(") && symbol("(")) {
            List<Object> inner = path();
            if (inner != null && symbol(")") && symbol(")")) {
                checks.redundantParentheses();
                return inner;
            }
        }
        position = start;
        if (symbol("(")) {
            List<Object> inner = path();
            if (inner != null && symbol(")")) {
                return inner;
            }
        }
        position = start;
        return null;
    }

    private Token identifier() {
        Token token = current();
        if ((token.kind() == Token.Kind.IDENTIFIER && !isKeyword(token)) || token.kind() == Token.Kind.NAME) {
            position++;
            return token;
        }
        miss();
        return null;
    }

    private static boolean isKeyword(Token token) {
        return KEYWORDS.contains(token.text().toUpperCase(java.util.Locale.ROOT));
    }

    private DocumentPath resolvePath(List<Object> raw) {
        List<Object> elements = new ArrayList<>(raw.size());
        for (Object element : raw) {
            if (element instanceof Token token && token.kind() == Token.Kind.NAME) {
                String name = hasError("attrNameVal") ? null : context.name(token.text());
                if (name == null && !hasError("attrNameVal")) {
                    error("attrNameVal", "An expression attribute name used in the document path is not defined; "
                            + "attribute name: " + token.text());
                }
                elements.add(name == null ? token.text() : name);
            } else if (element instanceof Token token) {
                if (ReservedWords.isReserved(token.text())) {
                    error("reserved", "Attribute name is a reserved keyword; reserved keyword: " + token.text());
                }
                elements.add(token.text());
            } else {
                elements.add(element);
            }
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

    private AttributeValue resolveValue(String placeholder) {
        if (hasError("attrNameVal")) {
            return null;
        }
        AttributeValue value = context.value(placeholder);
        if (value == null) {
            error("attrNameVal", "An expression attribute value used in expression is not defined; attribute value: "
                    + placeholder);
        }
        return value;
    }
}
