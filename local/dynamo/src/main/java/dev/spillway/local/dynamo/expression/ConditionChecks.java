package dev.spillway.local.dynamo.expression;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.expression.ConditionNodes.FunctionCall;
import dev.spillway.local.dynamo.value.AttributeValue;

/**
 * The semantic rules of the condition language (function names, arity and operand types, distinct operands, BETWEEN
 * bounds, misplaced functions, redundant parentheses), recorded on the parser by category as DynamoDB ranks them.
 */
final class ConditionChecks {

    private static final Map<String, Integer> ARITY = Map.of("attribute_exists", 1, "attribute_not_exists", 1,
            "attribute_type", 2, "begins_with", 2, "contains", 2, "size", 1);
    private static final Set<String> TYPE_CODES = Set.of("S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M");

    private final TokenParser parser;

    ConditionChecks(TokenParser parser) {
        this.parser = parser;
    }

    /** Checks a function call; its result type when known (N for size, BOOL for the boolean functions). */
    String checkFunction(String name, List<Operand> args) {
        if (parser.hasError("unknownFunction")) {
            return null;
        }
        Integer arity = ARITY.get(name);
        if (arity == null) {
            parser.error("unknownFunction", "Invalid function name; function: " + name);
            return null;
        }
        if (parser.hasError("operand")) {
            return null;
        }
        if (arity != args.size()) {
            parser.error("operand", "Incorrect number of operands for operator or function; operator or function: " + name
                    + ", number of operands: " + args.size());
            return null;
        }
        distinct(name, args);
        if (parser.hasError("function")) {
            return null;
        }
        switch (name) {
            case "attribute_exists", "attribute_not_exists" -> {
                if (!(args.get(0) instanceof Operand.Path)) {
                    parser.error("function", "Operator or function requires a document path; operator or function: " + name);
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
                    parser.error("function", "Invalid attribute type name found; type: " + code
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
        parser.error("function", "Incorrect operand type for operator or function; operator or function: " + function
                + ", operand type: " + type);
        return null;
    }

    void distinct(String operator, List<Operand> args) {
        if (parser.hasError("distinct") || args.size() != 2 || !(args.get(0) instanceof Operand.Path first)
                || !(args.get(1) instanceof Operand.Path second) || !first.path().equals(second.path())) {
            return;
        }
        parser.error("distinct", "The first operand must be distinct from the remaining operands for this operator or "
                + "function; operator: " + operator + ", first operand: " + first.path());
    }

    void betweenBounds(Operand lower, Operand upper) {
        if (parser.hasError("function") || !(lower instanceof Literal low) || !(upper instanceof Literal high)
                || low.value() == null || high.value() == null) {
            return;
        }
        String bounds = "lower bound operand: AttributeValue: {" + low.value().type() + ":"
                + Values.display(low.value()) + "}, upper bound operand: AttributeValue: {" + high.value().type() + ":"
                + Values.display(high.value()) + "}";
        if (!low.value().type().equals(high.value().type())) {
            parser.error("function", "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
        } else if (Values.ordered(low.value(), high.value()) && Values.compare(low.value(), high.value()) > 0) {
            parser.error("function", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    + bounds);
        }
    }

    void misusedFunction(List<Operand> operands) {
        if (parser.hasError("misusedFunction")) {
            return;
        }
        for (Operand operand : operands) {
            if (operand instanceof FunctionCall function && !function.name().equals("size")) {
                parser.error("misusedFunction", "The function is not allowed to be used this way in an expression; "
                        + "function: " + function.name());
                return;
            }
        }
    }

    void misusedSize(Condition condition) {
        if (condition instanceof FunctionCall function && function.name().equals("size")) {
            parser.error("misusedFunction", "The function is not allowed to be used this way in an expression; function: size");
        }
    }

    void redundantParentheses() {
        parser.error("parens", "The expression has redundant parentheses;");
    }

    /** DynamoDB reports, per condition, the first of these kinds of error found in the first faulty condition. */
    void conditionErrors() {
        if (parser.hasError("condition")) {
            return;
        }
        for (String category : List.of("attrNameVal", "operand", "distinct", "function")) {
            if (parser.hasError(category)) {
                parser.error("condition", parser.errorIn(category));
                return;
            }
        }
    }
}
