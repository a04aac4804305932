package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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

    /**
     * A parsed UpdateExpression.
     *
     * @param nestedAttributes top-level attributes updated through a nested path ({@code a.b}, {@code a[0]})
     * @param staticTypeOf the type an update writes to a top-level attribute when known before evaluation
     */
    record ParsedUpdate(UnaryOperator<Map<String, AttributeValue>> apply, Set<String> topLevelAttributes,
            Set<String> nestedAttributes, Function<String, Optional<String>> staticTypeOf,
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
    private final Map<String, Set<String>> attributesRead = new java.util.HashMap<>();

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
        Map<String, AttributeValue> values = values(request);
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

    /** ExpressionAttributeValues, a bad value named by its placeholder as DynamoDB does. */
    private static Map<String, AttributeValue> values(Request request) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> raw = request.map("ExpressionAttributeValues");
        if (raw == null) {
            return null;
        }
        Map<String, AttributeValue> values = new java.util.LinkedHashMap<>();
        raw.forEach((placeholder, node) -> {
            try {
                values.put(placeholder, dev.spillway.local.dynamo.value.AttributeValueJson.fromJson(node));
            } catch (DynamoException e) {
                if (!e.type().equals("ValidationException")) {
                    throw e;
                }
                throw DynamoException.validation("ExpressionAttributeValues contains invalid value: " + e.getMessage()
                        + " for key " + placeholder);
            }
        });
        return values;
    }

    /**
     * The projection of a read whose only expression parameter is ProjectionExpression (GetItem and the batch and
     * transactional gets), its names and values checked as used; the identity when the request has none.
     */
    static UnaryOperator<Map<String, AttributeValue>> onlyProjection(Request request) {
        RequestExpressions expressions = new RequestExpressions(request, "ProjectionExpression");
        ParsedProjection projection = expressions.projection("ProjectionExpression");
        expressions.verifyAllUsed();
        return projection == null ? UnaryOperator.identity() : projection.apply();
    }

    /** A condition or filter expression, or null when the request has none. */
    Predicate<Map<String, AttributeValue>> condition(String field) {
        String text = request.string(field);
        if (text == null) {
            return null;
        }
        var condition = Expressions.condition(field, text, context);
        Set<String> read = new java.util.HashSet<>(condition.topLevelAttributes());
        read.addAll(condition.nestedAttributes());
        attributesRead.put(field, read);
        return condition::test;
    }

    /** The top-level attributes a parsed condition reads (none when it is absent). */
    Set<String> attributesRead(String field) {
        return attributesRead.getOrDefault(field, Set.of());
    }

    ParsedUpdate update(String field) {
        String text = request.string(field);
        if (text == null) {
            return null;
        }
        var update = Expressions.update(text, context);
        return new ParsedUpdate(update::apply, update.topLevelAttributes(), update.nestedAttributes(),
                update::staticTypeOf, update::updatedPart);
    }

    ParsedProjection projection(String field) {
        String text = request.string(field);
        if (text == null) {
            return attributesToGet();
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

    /** The legacy AttributesToGet: a projection of whole top-level attributes. */
    private ParsedProjection attributesToGet() {
        java.util.List<com.fasterxml.jackson.databind.JsonNode> listed = request.list("AttributesToGet");
        if (listed == null) {
            return null;
        }
        Set<String> names = new java.util.LinkedHashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode name : listed) {
            if (!name.isTextual()) {
                throw Request.unexpectedType();
            }
            if (!names.add(name.textValue())) {
                throw DynamoException.validation("One or more parameter values were invalid: Duplicate value in "
                        + "attribute name: " + name.textValue());
            }
        }
        if (names.isEmpty()) {
            request.violation("AttributesToGet", "[]", "Member must have length greater than or equal to 1");
            request.check();
        }
        Set<String> projected = Set.copyOf(names);
        return new ParsedProjection(item -> {
            Map<String, AttributeValue> kept = new java.util.LinkedHashMap<>();
            item.forEach((attribute, value) -> {
                if (projected.contains(attribute)) {
                    kept.put(attribute, value);
                }
            });
            return kept;
        }, projected);
    }

    /** DynamoDB rejects names and values that no expression used; call after parsing them all. */
    void verifyAllUsed() {
        context.verifyAllUsed();
    }
}
