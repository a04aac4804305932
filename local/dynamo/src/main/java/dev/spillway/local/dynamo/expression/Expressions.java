package dev.spillway.local.dynamo.expression;

import java.util.function.Supplier;

import dev.spillway.local.dynamo.value.DynamoException;

/**
 * Entry point of the expression language: parses each expression of a request once, with DynamoDB's
 * ValidationException messages for every syntax or semantic error.
 */
public final class Expressions {

    private Expressions() {
    }

    /**
     * @param kind the request parameter name used in error messages: "ConditionExpression", "FilterExpression", ...
     * @throws DynamoException a ValidationException as DynamoDB answers it
     */
    public static Condition condition(String kind, String text, ExpressionContext context) {
        return guarded(kind, () -> new ConditionParser(kind, text, context).parse());
    }

    /** Parses an UpdateExpression. */
    public static Update update(String text, ExpressionContext context) {
        return guarded("UpdateExpression", () -> new UpdateParser(text, context).parse());
    }

    /** Parses a ProjectionExpression. */
    public static Projection projection(String text, ExpressionContext context) {
        return guarded("ProjectionExpression", () -> new ProjectionParser(text, context).parse());
    }

    /**
     * Parses a KeyConditionExpression for a table or index with these key attributes.
     *
     * @param rangeKey null when the key schema has no range key
     */
    public static KeyCondition keyCondition(String text, ExpressionContext context, String hashKey, String rangeKey) {
        return keyCondition(text, context, hashKey, null, rangeKey, null);
    }

    /**
     * Like {@link #keyCondition(String, ExpressionContext, String, String)}, also checking the values' types against
     * the key attributes' types (S, N or B; null skips the check).
     */
    public static KeyCondition keyCondition(String text, ExpressionContext context, String hashKey, String hashType,
            String rangeKey, String rangeType) {
        return keyConditionExpression(text, context).against(hashKey, hashType, rangeKey, rangeType);
    }

    /**
     * Parses a KeyConditionExpression without the key-schema checks, for requests that must report unused names
     * and values first, as DynamoDB does; see {@link KeyConditionExpression}.
     */
    public static KeyConditionExpression keyConditionExpression(String text, ExpressionContext context) {
        return new KeyConditionExpression(guarded("KeyConditionExpression",
                () -> new ConditionParser("KeyConditionExpression", text, context).parseTree()));
    }

    /** Nesting deep enough to exhaust the parser's stack is refused like any invalid expression. */
    private static <T> T guarded(String kind, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (StackOverflowError e) {
            throw DynamoException.validation("Invalid " + kind + ": The expression is nested too deeply");
        }
    }
}
