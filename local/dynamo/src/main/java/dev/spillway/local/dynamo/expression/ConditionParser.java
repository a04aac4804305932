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
    private static final Map<String, Integer> ARITY = Map.of("attribute_exists", 1, "attribute_not_exists", 1,
            "attribute_type", 2, "begins_with", 2, "contains", 2, "size", 1);
    private static final Set<String> TYPE_CODES = Set.of("S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M");

    private record Memo(Object result, int end) {
    }

    private final Map<Integer, Memo> orMemo = new HashMap<>();
    private final Map<Integer, Memo> operandMemo = new HashMap<>();
    private final Map<Integer, Memo> pathMemo = new HashMap<>();
    private final Set<String> heads = new LinkedHashSet<>();
    private final Set<String> nestedHeads = new LinkedHashSet<>();

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
        misusedSize(condition);
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
                misusedSize(result);
                misusedSize(right);
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
        misusedSize(left);
        misusedSize(right);
        return new And(left, right);
    }

    private Condition not() {
        int start = position;
        if (keyword("NOT")) {
            Condition operand = parens();
            if (operand != null) {
                misusedSize(operand);
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
                redundantParentheses();
                return inner;
            }
        }
        position = start;
        if (symbol("(") && symbol("(")) {
            Condition inner = condition();
            if (inner != null && symbol(")") && symbol(")")) {
                redundantParentheses();
                conditionErrors();
                return inner;
            }
        }
        position = start;
        Condition condition = condition();
        if (condition != null) {
            conditionErrors();
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
                misusedFunction(List.of(left, right));
                distinct(comparator, List.of(left, right));
                return new Comparison(comparator, left, right);
            }
            position = afterLeft;
            if (keyword("BETWEEN")) {
                Operand lower = operandParens();
                Operand upper = lower != null && keyword("AND") ? operandParens() : null;
                if (upper != null) {
                    misusedFunction(List.of(left, lower, upper));
                    betweenBounds(lower, upper);
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
                    misusedFunction(all);
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
                redundantParentheses();
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
                misusedFunction(args);
                String type = checkFunction(name.text(), args);
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
                redundantParentheses();
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

    private String checkFunction(String name, List<Operand> args) {
        if (hasError("unknownFunction")) {
            return null;
        }
        Integer arity = ARITY.get(name);
        if (arity == null) {
            error("unknownFunction", "Invalid function name; function: " + name);
            return null;
        }
        if (hasError("operand")) {
            return null;
        }
        if (arity != args.size()) {
            error("operand", "Incorrect number of operands for operator or function; operator or function: " + name
                    + ", number of operands: " + args.size());
            return null;
        }
        distinct(name, args);
        if (hasError("function")) {
            return null;
        }
        switch (name) {
            case "attribute_exists", "attribute_not_exists" -> {
                if (!(args.get(0) instanceof Operand.Path)) {
                    error("function", "Operator or function requires a document path; operator or function: " + name);
                }
                return null;
            }
            case "begins_with" -> {
                for (Operand arg : args) {
                    String type = arg.staticType();
                    if (type != null && !type.equals("S") && !type.equals("B")) {
                        return wrongOperandType(name, type);
                    }
                }
                return "BOOL";
            }
            case "attribute_type" -> {
                String type = args.get(1).staticType();
                if (!"S".equals(type)) {
                    return wrongOperandType(name, type == null ? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}" : type);
                }
                String code = ((AttributeValue.S) args.get(1).evaluate(Map.of())).value();
                if (!TYPE_CODES.contains(code)) {
                    error("function", "Invalid attribute type name found; type: " + code
                            + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
                    return null;
                }
                return "BOOL";
            }
            case "size" -> {
                String type = args.get(0).staticType();
                if ("N".equals(type) || "BOOL".equals(type) || "NULL".equals(type)) {
                    return wrongOperandType(name, type);
                }
                return "N";
            }
            default -> {
                return "BOOL";
            }
        }
    }

    private String wrongOperandType(String function, String type) {
        error("function", "Incorrect operand type for operator or function; operator or function: " + function
                + ", operand type: " + type);
        return null;
    }

    private void distinct(String operator, List<Operand> args) {
        if (hasError("distinct") || args.size() != 2 || !(args.get(0) instanceof Operand.Path first)
                || !(args.get(1) instanceof Operand.Path second) || !first.path().equals(second.path())) {
            return;
        }
        error("distinct", "The first operand must be distinct from the remaining operands for this operator or "
                + "function; operator: " + operator + ", first operand: " + first.path());
    }

    private void betweenBounds(Operand lower, Operand upper) {
        if (hasError("function") || !(lower instanceof Operand.Literal low) || !(upper instanceof Operand.Literal high)
                || low.value() == null || high.value() == null) {
            return;
        }
        String bounds = "lower bound operand: AttributeValue: {" + low.value().type() + ":"
                + Values.display(low.value()) + "}, upper bound operand: AttributeValue: {" + high.value().type() + ":"
                + Values.display(high.value()) + "}";
        if (!low.value().type().equals(high.value().type())) {
            error("function", "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
        } else if (Values.ordered(low.value(), high.value()) && Values.compare(low.value(), high.value()) > 0) {
            error("function", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    + bounds);
        }
    }

    private void misusedFunction(List<Operand> operands) {
        if (hasError("misusedFunction")) {
            return;
        }
        for (Operand operand : operands) {
            if (operand instanceof FunctionCall function && !function.name().equals("size")) {
                error("misusedFunction", "The function is not allowed to be used this way in an expression; "
                        + "function: " + function.name());
                return;
            }
        }
    }

    private void misusedSize(Condition condition) {
        if (condition instanceof FunctionCall function && function.name().equals("size")) {
            error("misusedFunction", "The function is not allowed to be used this way in an expression; function: size");
        }
    }

    private void redundantParentheses() {
        error("parens", "The expression has redundant parentheses;");
    }

    /** DynamoDB reports, per condition, the first of these kinds of error found in the first faulty condition. */
    private void conditionErrors() {
        if (hasError("condition")) {
            return;
        }
        for (String category : List.of("attrNameVal", "operand", "distinct", "function")) {
            if (hasError(category)) {
                error("condition", errorIn(category));
                return;
            }
        }
    }
}
