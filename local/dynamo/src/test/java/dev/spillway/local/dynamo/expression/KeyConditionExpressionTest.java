package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.b;
import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static dev.spillway.local.dynamo.expression.Items.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.spillway.local.dynamo.expression.KeyCondition.Operator;
import dev.spillway.local.dynamo.expression.KeyCondition.RangeCondition;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

class KeyConditionExpressionTest {

    private static final Map<String, AttributeValue> VALUES = item(":h", s("user"), ":a", n("1"), ":b", n("5"));

    private static KeyCondition parse(String expression) {
        return Expressions.keyCondition(expression, new ExpressionContext(names("#h", "id"), VALUES), "id", "r");
    }

    @Test
    void hashOnly_hasNoRangeCondition() {
        KeyCondition condition = Expressions.keyCondition("#h = :h",
                new ExpressionContext(names("#h", "id"), item(":h", s("user"))), "id", null);
        assertThat(condition.hashValue()).isEqualTo(s("user"));
        assertThat(condition.range()).isEmpty();
    }

    @Test
    void rangeCondition_isReadInEitherOrder_andMirroredWhenTheKeyComesSecond() {
        KeyCondition condition = parse(":a < r AND #h = :h");
        assertThat(condition.hashValue()).isEqualTo(s("user"));
        assertThat(condition.range()).contains(new RangeCondition(Operator.GT, List.of(n("1"))));
    }

    @Test
    void between_andBeginsWith_becomeRangeConditions() {
        assertThat(parse("#h = :h AND r BETWEEN :a AND :b").range())
                .contains(new RangeCondition(Operator.BETWEEN, List.of(n("1"), n("5"))));
        KeyCondition prefix = Expressions.keyCondition("id = :h AND begins_with(r, :p)",
                new ExpressionContext(null, item(":h", s("u"), ":p", s("ab"))), "id", "r");
        assertThat(prefix.range()).contains(new RangeCondition(Operator.BEGINS_WITH, List.of(s("ab"))));
    }

    @Test
    void rangeCondition_test_followsDynamoDbsOrdering() {
        RangeCondition between = new RangeCondition(Operator.BETWEEN, List.of(n("1"), n("5")));
        assertThat(between.test(n("1"))).isTrue();
        assertThat(between.test(n("5"))).isTrue();
        assertThat(between.test(n("5.1"))).isFalse();
        assertThat(between.test(s("3"))).isFalse();
        assertThat(new RangeCondition(Operator.BEGINS_WITH, List.of(s("ab"))).test(s("abc"))).isTrue();
        assertThat(new RangeCondition(Operator.BEGINS_WITH, List.of(b(1))).test(b(1, 2))).isTrue();
        assertThat(new RangeCondition(Operator.LE, List.of(s("b"))).test(s("b"))).isTrue();
        assertThat(new RangeCondition(Operator.GT, List.of(b(0x7F))).test(b(0x80))).isTrue();
        assertThat(new RangeCondition(Operator.EQ, List.of(n("2"))).test(n("2.0"))).isTrue();
    }

    static Stream<Arguments> invalidKeyConditions() {
        return Stream.of(
                Arguments.of("id = :h OR id = :h", "Invalid operator used in KeyConditionExpression: OR"),
                Arguments.of("NOT id = :h", "Invalid operator used in KeyConditionExpression: NOT"),
                Arguments.of("id IN (:h)", "Invalid operator used in KeyConditionExpression: IN"),
                Arguments.of("id <> :h", "Invalid operator used in KeyConditionExpression: <>"),
                Arguments.of("contains(id, :h)", "Invalid operator used in KeyConditionExpression: contains"),
                Arguments.of("attribute_exists(id)",
                        "Invalid operator used in KeyConditionExpression: attribute_exists"),
                Arguments.of("size(id) = :a", "KeyConditionExpressions cannot contain nested operations"),
                Arguments.of(":a BETWEEN r AND :b", "Invalid condition in KeyConditionExpression: BETWEEN operator "
                        + "must have the key attribute as its first operand"),
                Arguments.of("begins_with(:h, id)", "Invalid condition in KeyConditionExpression: begins_with "
                        + "operator must have the key attribute as its first operand"),
                Arguments.of("id = r", "Invalid condition in KeyConditionExpression: Multiple attribute names used "
                        + "in one condition"),
                Arguments.of("id.x = :h", "KeyConditionExpressions cannot have conditions on nested attributes"),
                Arguments.of(":h = :h", "Invalid condition in KeyConditionExpression: No key attribute specified"),
                Arguments.of("id = :h AND id = :h", "KeyConditionExpressions must only contain one condition per key"),
                Arguments.of("id = :h AND r = :a AND x = :b", "Conditions can be of length 1 or 2 only"),
                Arguments.of("id = :t", "One or more parameter values were invalid: ComparisonOperator EQ is not "
                        + "valid for BOOL AttributeValue type"),
                Arguments.of("r = :a", "Query condition missed key schema element: id"),
                Arguments.of("id = :h AND x = :a", "Query condition missed key schema element: r"),
                Arguments.of("id < :h", "Query key condition not supported"),
                Arguments.of("id = :h AND r = :h", "One or more parameter values were invalid: Condition parameter "
                        + "type does not match schema type"),
                Arguments.of("id = :h OR", "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: "
                        + "\"OR\""));
    }

    @ParameterizedTest
    @MethodSource("invalidKeyConditions")
    void invalidKeyCondition_isRejectedWithDynamoDbsMessage(String expression, String message) {
        // GIVEN a table keyed by id (S) and r (N)
        ExpressionContext context = new ExpressionContext(null, item(":h", s("u"), ":a", n("1"), ":b", n("2"),
                ":t", Items.bool(true)));
        // WHEN the key condition is parsed against that schema
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.keyCondition(expression, context, "id", "S", "r", "N"));
        // THEN DynamoDB's message comes back
        assertThat(error.getMessage()).isEqualTo(message);
    }

    @Test
    void keyConditionExpression_parsedFirst_letsUnusedValuesBeReportedBeforeSchemaErrors() {
        // GIVEN a key condition on a non-key attribute and an unused value
        ExpressionContext context = new ExpressionContext(null, item(":h", s("u"), ":unused", n("1")));
        KeyConditionExpression parsed = Expressions.keyConditionExpression("extra = :h", context);
        // WHEN the request checks its names and values before the key schema
        DynamoException unused = catchThrowableOfType(DynamoException.class, context::verifyAllUsed);
        DynamoException schema = catchThrowableOfType(DynamoException.class,
                () -> parsed.against("id", "S", null, null));
        // THEN both errors are DynamoDB's, in DynamoDB's order
        assertThat(unused.getMessage()).isEqualTo("Value provided in ExpressionAttributeValues unused in expressions: "
                + "keys: {:unused}");
        assertThat(schema.getMessage()).isEqualTo("Query condition missed key schema element: id");
    }

    @Test
    void hashOnlySchema_withARangeCondition_isNotSupported() {
        ExpressionContext context = new ExpressionContext(null, item(":h", s("u"), ":a", n("1")));
        DynamoException error = catchThrowableOfType(DynamoException.class,
                () -> Expressions.keyCondition("id = :h AND r = :a", context, "id", null));
        assertThat(error.getMessage()).isEqualTo("Query key condition not supported");
    }
}
