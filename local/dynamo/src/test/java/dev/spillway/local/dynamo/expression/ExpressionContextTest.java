package dev.spillway.local.dynamo.expression;

import static dev.spillway.local.dynamo.expression.Items.item;
import static dev.spillway.local.dynamo.expression.Items.n;
import static dev.spillway.local.dynamo.expression.Items.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.local.dynamo.value.DynamoException;

class ExpressionContextTest {

    @Test
    void verifyAllUsed_listsUnusedNamesInRequestOrder() {
        ExpressionContext context = new ExpressionContext(names("#a", "a", "#b", "b", "#c", "c"), item(":v", n("1")));
        Expressions.condition("ConditionExpression", "#c = :v", context);
        DynamoException error = catchThrowableOfType(DynamoException.class, context::verifyAllUsed);
        assertThat(error.getMessage())
                .isEqualTo("Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
    }

    @Test
    void verifyAllUsed_listsUnusedValues() {
        ExpressionContext context = new ExpressionContext(null, item(":a", n("1"), ":v", n("1")));
        Expressions.update("SET x = :v", context);
        DynamoException error = catchThrowableOfType(DynamoException.class, context::verifyAllUsed);
        assertThat(error.getMessage()).isEqualTo("Value provided in ExpressionAttributeValues unused in expressions: "
                + "keys: {:a}");
    }

    @Test
    void verifyAllUsed_countsUsesAcrossAllExpressionsOfTheRequest() {
        ExpressionContext context = new ExpressionContext(names("#p", "p", "#k", "k"), item(":v", n("1")));
        Expressions.update("SET #k = :v", context);
        Expressions.projection("#p", context);
        assertThatCode(context::verifyAllUsed).doesNotThrowAnyException();
    }

    @Test
    void placeholderKeys_mustHaveDynamoDbsSyntax() {
        DynamoException badName = catchThrowableOfType(DynamoException.class,
                () -> new ExpressionContext(names("a", "a"), null));
        assertThat(badName.getMessage())
                .isEqualTo("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
        DynamoException badValue = catchThrowableOfType(DynamoException.class,
                () -> new ExpressionContext(null, item(":a-b", n("1"))));
        assertThat(badValue.getMessage())
                .isEqualTo("ExpressionAttributeValues contains invalid key: Syntax error; key: \":a-b\"");
        DynamoException empty = catchThrowableOfType(DynamoException.class,
                () -> new ExpressionContext(Map.of(), null));
        assertThat(empty.getMessage()).isEqualTo("ExpressionAttributeNames must not be empty");
    }
}
