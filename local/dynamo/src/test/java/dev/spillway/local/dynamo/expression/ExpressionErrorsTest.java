package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.bool;
import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static dev.spillway.local.dynamo.expression.Items.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/** Every parse-time error with the message DynamoDB (and dynalite, its reference) gives. */
class ExpressionErrorsTest {

    private static final Map<String, AttributeValue> N1 = item(":v", n("1"));
    private static final Map<String, AttributeValue> S1 = item(":v", s("x"));

    static Stream<Arguments> conditionErrors() {
        return Stream.of(
                Arguments.of("((a = :v))", null, S1, "The expression has redundant parentheses;"),
                Arguments.of("((a)) = :v", null, S1, "The expression has redundant parentheses;"),
                Arguments.of("status = :v", null, S1, "Attribute name is a reserved keyword; reserved keyword: status"),
                Arguments.of("a = :v AND #n = :v", null, S1,
                        "An expression attribute name used in the document path is not defined; attribute name: #n"),
                Arguments.of("size(a) = size(b, c)", null, null, "Incorrect number of operands for operator or "
                        + "function; operator or function: size, number of operands: 2"),
                Arguments.of("attribute_exists(a, b)", null, null, "Incorrect number of operands for operator or "
                        + "function; operator or function: attribute_exists, number of operands: 2"),
                Arguments.of("foo(a)", null, null, "Invalid function name; function: foo"),
                Arguments.of("size(a)", null, null,
                        "The function is not allowed to be used this way in an expression; function: size"),
                Arguments.of("attribute_exists(a) = :v", null, S1, "The function is not allowed to be used this way "
                        + "in an expression; function: attribute_exists"),
                Arguments.of("a = a", null, null, "The first operand must be distinct from the remaining operands for "
                        + "this operator or function; operator: =, first operand: [a]"),
                Arguments.of("begins_with(#a.b[1], a.b[1])", names("#a", "a"), null, "The first operand must be "
                        + "distinct from the remaining operands for this operator or function; operator: begins_with, "
                        + "first operand: [a, b, [1]]"),
                Arguments.of("size(:v) = :v", null, N1, "Incorrect operand type for operator or function; operator "
                        + "or function: size, operand type: N"),
                Arguments.of("begins_with(a, :v)", null, N1, "Incorrect operand type for operator or function; "
                        + "operator or function: begins_with, operand type: N"),
                Arguments.of("attribute_type(a, :v)", null, item(":v", s("X")), "Invalid attribute type name found; "
                        + "type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
                Arguments.of("attribute_type(a, :v)", null, N1, "Incorrect operand type for operator or function; "
                        + "operator or function: attribute_type, operand type: N"),
                Arguments.of("attribute_type(a, b)", null, null, "Incorrect operand type for operator or function; "
                        + "operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
                Arguments.of("attribute_exists(:v)", null, N1, "Operator or function requires a document path; "
                        + "operator or function: attribute_exists"),
                Arguments.of("a BETWEEN :b AND :a", null, item(":a", n("1"), ":b", n("2")), "The BETWEEN operator "
                        + "requires upper bound to be greater than or equal to lower bound; lower bound operand: "
                        + "AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"),
                Arguments.of("a BETWEEN :a AND :b", null, item(":a", n("1"), ":b", s("2")), "The BETWEEN operator "
                        + "requires same data type for lower and upper bounds; lower bound operand: AttributeValue: "
                        + "{N:1}, upper bound operand: AttributeValue: {S:2}"),
                Arguments.of("a = :v AND size(b) = :v AND c = :undefined", null, N1, "An expression attribute value "
                        + "used in expression is not defined; attribute value: :undefined"),
                Arguments.of("a = :undefined AND foo(b)", null, null, "Invalid function name; function: foo"),
                Arguments.of("a = :v OR b = :v AND size(c)", null, N1,
                        "The function is not allowed to be used this way in an expression; function: size"));
    }

    @ParameterizedTest
    @MethodSource("conditionErrors")
    void condition_withASemanticError_isRejectedWithDynamoDbsMessage(String expression, Map<String, String> names,
            Map<String, AttributeValue> values, String message) {
        // WHEN the expression is parsed
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.condition("ConditionExpression", expression, new ExpressionContext(names, values)));
        // THEN it is a ValidationException with DynamoDB's message
        assertThat(error.type()).isEqualTo("ValidationException");
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.getMessage()).isEqualTo("Invalid ConditionExpression: " + message);
    }

    static Stream<Arguments> syntaxErrors() {
        return Stream.of(
                Arguments.of("foo", "Syntax error; token: \"<EOF>\", near: \"foo\""),
                Arguments.of("a+:v<b", "Syntax error; token: \"+\", near: \"a+:v\""),
                Arguments.of("a < <", "Syntax error; token: \"<\", near: \"< <\""),
                Arguments.of("a = :v AND", "Syntax error; token: \"<EOF>\", near: \"AND\""),
                Arguments.of("a = :v b", "Syntax error; token: \"b\", near: \":v b\""),
                Arguments.of("a ! b", "Syntax error; token: \"!\", near: \"a ! b\""),
                Arguments.of("a IN ()", "Syntax error; token: \")\", near: \"()\""),
                Arguments.of("a.1 = :v", "Syntax error; token: \"1\", near: \".1 =\""),
                Arguments.of("and = :v", "Syntax error; token: \"and\", near: \"and =\""));
    }

    @ParameterizedTest
    @MethodSource("syntaxErrors")
    void condition_withASyntaxError_namesTheTokenAndItsNeighbours(String expression, String message) {
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.condition("FilterExpression", expression, new ExpressionContext(null, N1)));
        assertThat(error.getMessage()).isEqualTo("Invalid FilterExpression: " + message);
    }

    static Stream<Arguments> updateErrors() {
        return Stream.of(
                Arguments.of("SET a = :v, a.b = :v", N1, "Two document paths overlap with each other; must remove or "
                        + "rewrite one of these paths; path one: [a], path two: [a, b]"),
                Arguments.of("SET a[0] = :v, a.b = :v", N1, "Two document paths conflict with each other; must remove "
                        + "or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"),
                Arguments.of("SET a = :v REMOVE a", N1, "Two document paths overlap with each other; must remove or "
                        + "rewrite one of these paths; path one: [a], path two: [a]"),
                Arguments.of("ADD a :v", S1,
                        "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
                Arguments.of("DELETE a :v", N1,
                        "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"),
                Arguments.of("ADD a :v", item(":v", bool(true)),
                        "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN"),
                Arguments.of("SET a = :v SET b = :v", N1,
                        "The \"SET\" section can only be used once in an update expression;"),
                Arguments.of("SET a = foo(b)", null, "Invalid function name; function: foo"),
                Arguments.of("SET a = :v + :s", item(":v", n("1"), ":s", s("x")),
                        "Incorrect operand type for operator or function; operator or function: +, operand type: S"),
                Arguments.of("SET a = list_append(:v, b)", N1, "Incorrect operand type for operator or function; "
                        + "operator or function: list_append, operand type: N"),
                Arguments.of("SET a = if_not_exists(:v, b)", N1,
                        "Operator or function requires a document path; operator or function: if_not_exists"),
                Arguments.of("SET a = if_not_exists(b)", null, "Incorrect number of operands for operator or "
                        + "function; operator or function: if_not_exists, number of operands: 1"),
                Arguments.of("SET #x = :v", N1,
                        "An expression attribute name used in the document path is not defined; attribute name: #x"),
                Arguments.of("SET a = :x", null,
                        "An expression attribute value used in expression is not defined; attribute value: :x"),
                Arguments.of("REMOVE status", null, "Attribute name is a reserved keyword; reserved keyword: status"),
                Arguments.of("SET a = ", null, "Syntax error; token: \"<EOF>\", near: \"=\""),
                Arguments.of("SET a = :v,", N1, "Syntax error; token: \"<EOF>\", near: \",\""),
                Arguments.of("SET a = b / :v", N1, "Syntax error; token: \"/\", near: \"b / :v\""),
                Arguments.of("SET", null, "Syntax error; token: \"<EOF>\", near: \"SET\""),
                Arguments.of("UPDATE a = :v", N1, "Syntax error; token: \"UPDATE\", near: \"UPDATE a\""));
    }

    @ParameterizedTest
    @MethodSource("updateErrors")
    void update_withAnError_isRejectedWithDynamoDbsMessage(String expression, Map<String, AttributeValue> values,
            String message) {
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.update(expression, new ExpressionContext(null, values)));
        assertThat(error.getMessage()).isEqualTo("Invalid UpdateExpression: " + message);
    }

    static Stream<Arguments> projectionErrors() {
        return Stream.of(
                Arguments.of("a, #n", "An expression attribute name used in the document path is not defined; "
                        + "attribute name: #n"),
                Arguments.of("a.b, a", "Two document paths overlap with each other; must remove or rewrite one of "
                        + "these paths; path one: [a, b], path two: [a]"),
                Arguments.of("a.b, a[1]", "Two document paths conflict with each other; must remove or rewrite one of "
                        + "these paths; path one: [a, b], path two: [a, [1]]"),
                Arguments.of("name", "Attribute name is a reserved keyword; reserved keyword: name"),
                Arguments.of("a,", "Syntax error; token: \"<EOF>\", near: \",\""),
                Arguments.of("a b", "Syntax error; token: \"b\", near: \"a b\""),
                Arguments.of("", "The expression can not be empty;"));
    }

    @ParameterizedTest
    @MethodSource("projectionErrors")
    void projection_withAnError_isRejectedWithDynamoDbsMessage(String expression, String message) {
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.projection(expression, ExpressionContext.empty()));
        assertThat(error.getMessage()).isEqualTo("Invalid ProjectionExpression: " + message);
    }
}
