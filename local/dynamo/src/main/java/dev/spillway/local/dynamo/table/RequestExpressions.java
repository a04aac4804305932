package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.spillway.local.dynamo.expression.ExpressionContext;
import dev.spillway.local.dynamo.expression.Expressions;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The expressions of one request, parsed against one shared name/value context, after DynamoDB's checks on how
 * the expression parameters are combined. Exposes them as plain functions so operations need not know the parser.
 */
final class RequestExpressions {

    /** A parsed UpdateExpression. */
    record ParsedUpdate(UnaryOperator<Map<String, AttributeValue>> apply, Set<String> topLevelAttributes,
            UnaryOperator<Map<String, AttributeValue>> updatedPart) {
    }

    /** A parsed ProjectionExpression. */
    record ParsedProjection(UnaryOperator<Map<String, AttributeValue>> apply, Set<String> topLevelAttributes) {
    }

    /** A parsed KeyConditionExpression: the partition value and an optional sort key test. */
    record ParsedKeyCondition(AttributeValue hashValue, Predicate<AttributeValue> range) {
    }

    private final Request request;
    private final ExpressionContext context;

    /**
     * @param expressionFields the expression parameters this operation takes, e.g. ConditionExpression
     */
    RequestExpressions(Request request, String... expressionFields) {
        this.request = request;
        request.rejectLegacyParameters(List.of(expressionFields));
        List<String> present = new ArrayList<>();
        for (String field : expressionFields) {
            if (request.has(field)) {
                present.add(field);
            }
        }
        Map<String, String> names = request.names("ExpressionAttributeNames");
        Map<String, AttributeValue> values = request.item("ExpressionAttributeValues");
        if (names != null && present.isEmpty()) {
            throw DynamoException.validation("ExpressionAttributeNames can only be specified when using expressions");
        }
        List<String> valueFields = new ArrayList<>(List.of(expressionFields));
        valueFields.remove("ProjectionExpression");
        if (values != null && !valueFields.isEmpty() && valueFields.stream().noneMatch(request::has)) {
            throw DynamoException.validation("ExpressionAttributeValues can only be specified when using expressions: "
                    + String.join(" and ", valueFields) + (valueFields.size() > 1 ? " are" : " is") + " null");
        }
        this.context = new ExpressionContext(names, values);
    }

    /** A condition or filter expression, or null when the request has none. */
    Predicate<Map<String, AttributeValue>> condition(String field) {
        String text = request.string(field);
        if (text == null) {
            return null;
        }
        var condition = Expressions.condition(field, text, context);
        return condition::test;
    }

    ParsedUpdate update(String field) {
        String text = request.string(field);
        if (text == null) {
            return null;
        }
        var update = Expressions.update(text, context);
        return new ParsedUpdate(update::apply, update.topLevelAttributes(), update::updatedPart);
    }

    ParsedProjection projection(String field) {
        String text = request.string(field);
        if (text == null) {
            return null;
        }
        var projection = Expressions.projection(text, context);
        return new ParsedProjection(projection::apply, projection.topLevelAttributes());
    }

    ParsedKeyCondition keyCondition(String field, KeySchema key) {
        String text = request.string(field);
        if (text == null) {
            throw DynamoException.validation("Either the KeyConditions or KeyConditionExpression parameter must be "
                    + "specified in the request.");
        }
        var condition = Expressions.keyCondition(text, context, key.hashName(), key.hashType(),
                key.rangeName(), key.rangeType());
        var range = condition.range();
        return new ParsedKeyCondition(condition.hashValue(), range.isEmpty() ? null : range.get()::test);
    }

    /** DynamoDB rejects names and values that no expression used; call after parsing them all. */
    void verifyAllUsed() {
        context.verifyAllUsed();
    }
}
