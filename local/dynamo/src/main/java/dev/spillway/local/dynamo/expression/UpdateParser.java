package dev.spillway.local.dynamo.expression;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.spillway.local.dynamo.value.AttributeValue;

/** Recursive-descent parser of UpdateExpression: SET, REMOVE, ADD and DELETE clauses, each at most once. */
final class UpdateParser extends TokenParser {

    private static final Set<String> KEYWORDS = Set.of("SET", "REMOVE", "ADD", "DELETE");
    private static final Map<String, Integer> ARITY = Map.of("if_not_exists", 2, "list_append", 2, "+", 2, "-", 2);
    private static final Map<String, String> OPERAND_TYPE_NAMES = Map.of("S", "STRING", "N", "NUMBER", "B", "BINARY",
            "NULL", "NULL", "BOOL", "BOOLEAN", "L", "LIST", "M", "MAP");

    private final Set<String> sections = new HashSet<>();
    private final List<DocumentPath> paths = new ArrayList<>();

    UpdateParser(String source, ExpressionContext context) {
        super("UpdateExpression", source, context, KEYWORDS);
    }

    Update parse() {
        List<UpdateAction> actions = new ArrayList<>();
        if (!section(actions)) {
            throw syntaxError();
        }
        while (section(actions)) {
            // every clause read
        }
        expectEnd();
        throwFirstError("reserved", "unknownFunction", "section", "attrName", "attrVal", "pathOverlap", "pathConflict",
                "operand", "function");
        return new ParsedUpdate(actions);
    }

    private boolean section(List<UpdateAction> actions) {
        int start = position;
        for (UpdateAction.Type type : UpdateAction.Type.values()) {
            if (keyword(type.name())) {
                List<UpdateAction> clause = commaSeparated(() -> action(type));
                if (clause != null) {
                    if (!sections.add(type.name())) {
                        error("section", "The \"" + type.name() + "\" section can only be used once in an update "
                                + "expression;");
                    }
                    actions.addAll(clause);
                    return true;
                }
                position = start;
                return false;
            }
        }
        position = start;
        return false;
    }

    private UpdateAction action(UpdateAction.Type type) {
        int start = position;
        DocumentPath path = path();
        if (path == null) {
            return null;
        }
        UpdateAction action = switch (type) {
            case SET -> {
                UpdateValue value = symbol("=") ? setValueParens() : null;
                yield value == null ? null : new UpdateAction(type, path, value, null);
            }
            case REMOVE -> new UpdateAction(type, path, null, null);
            case ADD, DELETE -> {
                Token value = take(Token.Kind.VALUE);
                if (value == null) {
                    yield null;
                }
                AttributeValue operand = attributeValue(value, "attrVal");
                checkOperand(type.name(), operand);
                yield new UpdateAction(type, path, null, operand);
            }
        };
        if (action == null) {
            position = start;
            return null;
        }
        checkPath(path);
        return action;
    }

    private UpdateValue setValueParens() {
        return optionallyParenthesised(this::setValue);
    }

    private UpdateValue setValue() {
        UpdateValue left = operandParens();
        if (left == null) {
            return null;
        }
        int afterLeft = position;
        for (String operator : List.of("+", "-")) {
            if (symbol(operator)) {
                UpdateValue right = operandParens();
                if (right != null) {
                    checkFunction(operator, List.of(left, right));
                    return new UpdateValue.Arithmetic(operator.equals("+"), left, right);
                }
            }
            position = afterLeft;
        }
        return left;
    }

    private UpdateValue operandParens() {
        return optionallyParenthesised(this::operand);
    }

    private UpdateValue operand() {
        int start = position;
        UpdateValue function = function();
        if (function != null) {
            return function;
        }
        position = start;
        Token value = take(Token.Kind.VALUE);
        if (value != null) {
            return new Literal(attributeValue(value, "attrVal"));
        }
        DocumentPath path = path();
        return path == null ? null : new UpdateValue.Path(path);
    }

    private UpdateValue function() {
        Call<UpdateValue> call = call(this::operandParens);
        if (call == null) {
            return null;
        }
        List<UpdateValue> args = call.args();
        checkFunction(call.name(), args);
        return switch (args.size() == 2 ? call.name() : "") {
            case "if_not_exists" -> args.get(0) instanceof UpdateValue.Path path
                    ? new UpdateValue.IfNotExists(path.path(), args.get(1)) : new UpdateValue.Unknown();
            case "list_append" -> new UpdateValue.ListAppend(args.get(0), args.get(1));
            default -> new UpdateValue.Unknown();
        };
    }

    private DocumentPath path() {
        return documentPath("attrName");
    }

    private void checkFunction(String name, List<UpdateValue> args) {
        if (hasError("unknownFunction")) {
            return;
        }
        Integer arity = ARITY.get(name);
        if (arity == null) {
            error("unknownFunction", "Invalid function name; function: " + name);
            return;
        }
        if (hasError("function")) {
            return;
        }
        if (arity != args.size()) {
            error("function", "Incorrect number of operands for operator or function; operator or function: " + name
                    + ", number of operands: " + args.size());
            return;
        }
        if (name.equals("if_not_exists")) {
            if (!(args.get(0) instanceof UpdateValue.Path)) {
                error("function", "Operator or function requires a document path; operator or function: " + name);
            }
            return;
        }
        String expected = name.equals("list_append") ? "L" : "N";
        for (UpdateValue arg : args) {
            String type = arg.literalType();
            if (type != null && !type.equals(expected)) {
                error("function", "Incorrect operand type for operator or function; operator or function: " + name
                        + ", operand type: " + type);
                return;
            }
        }
    }

    private void checkOperand(String operator, AttributeValue operand) {
        if (hasError("operand") || operand == null) {
            return;
        }
        String typeName = OPERAND_TYPE_NAMES.get(operand.type());
        if (typeName != null && !(operator.equals("ADD") && operand.type().equals("N"))) {
            error("operand", "Incorrect operand type for operator or function; operator: " + operator
                    + ", operand type: " + typeName);
        }
    }

    /** Two actions may not touch the same path, nor one a path inside the other. */
    private void checkPath(DocumentPath path) {
        if (hasError("pathOverlap")) {
            return;
        }
        for (DocumentPath earlier : paths) {
            if (PathChecks.overlapOrConflict(this, earlier, path)) {
                return;
            }
        }
        paths.add(path);
    }
}
