package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * Typed reads of a request body with DynamoDB's answers to bad input: SerializationException for a wrong JSON type,
 * and its "N validation errors detected" ValidationException for constraint violations, collected as DynamoDB does.
 */
final class Request {

    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    /** AttributesToGet is served (a plain projection); these would silently change meaning if ignored. */
    private static final Set<String> LEGACY = Set.of("Expected", "KeyConditions", "QueryFilter", "ScanFilter",
            "AttributeUpdates", "ConditionalOperator");

    private final ObjectNode body;
    private final String path;
    private final List<String> errors = new ArrayList<>();

    Request(ObjectNode body) {
        this(body, "");
    }

    private Request(ObjectNode body, String path) {
        this.body = body;
        this.path = path;
    }

    ObjectNode body() {
        return body;
    }

    /** A nested structure, e.g. a transaction item's {@code Put}; its errors name their full path. */
    Request child(String field) {
        JsonNode node = present(field, JsonNode::isObject);
        return node == null ? null : new Request((ObjectNode) node, path + lowerFirst(field) + ".");
    }

    static Request of(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw unexpectedType();
        }
        return new Request((ObjectNode) node, path);
    }

    /** The field's value when present (JSON null counts as absent), else null; a wrong JSON type is rejected. */
    private JsonNode present(String field, Predicate<JsonNode> hasExpectedType) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!hasExpectedType.test(node)) {
            throw unexpectedType();
        }
        return node;
    }

    boolean has(String field) {
        JsonNode node = body.get(field);
        return node != null && !node.isNull();
    }

    String string(String field) {
        JsonNode node = present(field, JsonNode::isTextual);
        return node == null ? null : node.textValue();
    }

    String requiredString(String field) {
        String value = string(field);
        if (value == null) {
            notNull(field);
        }
        return value;
    }

    /** A table name with DynamoDB's constraints; collects errors, {@link #check()} raises them. */
    String tableName(String field) {
        return checkedName(field, requiredString(field));
    }

    /**
     * A table name as the table-level operations (CreateTable, DescribeTable, DeleteTable, DescribeTimeToLive) check
     * it: presence and length first, each with its own message, then the pattern.
     */
    String requiredTableName(String field) {
        String name = string(field);
        if (name == null) {
            throw DynamoException.validation("The parameter '" + field + "' is required but was not present in the "
                    + "request");
        }
        if (name.length() < 3 || name.length() > 255) {
            throw DynamoException.validation(field + " must be at least 3 characters long and at most 255 characters "
                    + "long");
        }
        patternViolation(field, name);
        return name;
    }

    /** An optional name with the table name constraints (IndexName). */
    String optionalName(String field) {
        return checkedName(field, string(field));
    }

    /** Collects the violations of the table name constraints by a present name, in DynamoDB's order. */
    private String checkedName(String field, String name) {
        if (name != null) {
            patternViolation(field, name);
            if (name.length() < 3) {
                violation(field, name, "Member must have length greater than or equal to 3");
            }
            if (name.length() > 255) {
                violation(field, name, "Member must have length less than or equal to 255");
            }
        }
        return name;
    }

    private void patternViolation(String field, String name) {
        if (!TABLE_NAME.matcher(name).matches()) {
            violation(field, name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }
    }

    String enumeration(String field, String... allowed) {
        String value = string(field);
        if (value != null && !List.of(allowed).contains(value)) {
            violation(field, value, "Member must satisfy enum value set: [" + String.join(", ", allowed) + "]");
        }
        return value;
    }

    Integer integer(String field) {
        JsonNode node = present(field, value -> value.isIntegralNumber() && value.canConvertToInt());
        return node == null ? null : node.intValue();
    }

    Integer integerAtLeast(String field, int minimum) {
        Integer value = integer(field);
        if (value != null && value < minimum) {
            violation(field, value.toString(), "Member must have value greater than or equal to " + minimum);
        }
        return value;
    }

    boolean bool(String field, boolean otherwise) {
        JsonNode node = present(field, JsonNode::isBoolean);
        return node == null ? otherwise : node.booleanValue();
    }

    List<JsonNode> list(String field) {
        JsonNode node = present(field, JsonNode::isArray);
        if (node == null) {
            return null;
        }
        List<JsonNode> members = new ArrayList<>();
        node.forEach(members::add);
        return members;
    }

    Map<String, JsonNode> map(String field) {
        JsonNode node = present(field, JsonNode::isObject);
        if (node == null) {
            return null;
        }
        Map<String, JsonNode> members = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> members.put(entry.getKey(), entry.getValue()));
        return members;
    }

    Map<String, AttributeValue> item(String field) {
        return AttributeValueJson.itemFromJson(body.get(field), field);
    }

    Map<String, AttributeValue> requiredItem(String field) {
        Map<String, AttributeValue> item = item(field);
        if (item == null) {
            notNull(field);
        }
        return item;
    }

    Map<String, String> names(String field) {
        Map<String, JsonNode> raw = map(field);
        if (raw == null) {
            return null;
        }
        Map<String, String> names = new LinkedHashMap<>();
        raw.forEach((key, value) -> {
            if (!value.isTextual()) {
                throw unexpectedType();
            }
            names.put(key, value.textValue());
        });
        return names;
    }

    void notNull(String field) {
        errors.add("Value null at '" + path + lowerFirst(field) + "' failed to satisfy constraint: Member must not be "
                + "null");
    }

    void violation(String field, String value, String constraint) {
        errors.add("Value '" + value + "' at '" + path + lowerFirst(field) + "' failed to satisfy constraint: "
                + constraint);
    }

    /** Raises the collected constraint violations as one ValidationException, as DynamoDB words it. */
    void check() {
        if (!errors.isEmpty()) {
            int count = errors.size();
            throw DynamoException.validation(count + " validation error" + (count > 1 ? "s" : "") + " detected: "
                    + String.join("; ", errors.subList(0, Math.min(count, 10))));
        }
    }

    /** We implement only the expression parameters; the legacy ones would silently change meaning if ignored. */
    void rejectLegacyParameters(List<String> expressionFields) {
        List<String> expressions = expressionFields.stream().filter(this::has).toList();
        if (has("AttributesToGet") && !expressions.isEmpty()) {
            throw DynamoException.validation("Can not use both expression and non-expression parameters in the "
                    + "same request: Non-expression parameters: {AttributesToGet} Expression parameters: {"
                    + String.join(", ", expressions) + "}");
        }
        for (String legacy : LEGACY) {
            if (has(legacy) && !expressions.isEmpty()) {
                throw DynamoException.validation("Can not use both expression and non-expression parameters in the "
                        + "same request: Non-expression parameters: {" + legacy + "} Expression parameters: {"
                        + String.join(", ", expressions) + "}");
            }
            if (has(legacy)) {
                throw DynamoException.validation("The legacy parameter " + legacy + " is not supported by this "
                        + "emulator; use the expression parameters (ConditionExpression, UpdateExpression, "
                        + "ProjectionExpression, KeyConditionExpression, FilterExpression) instead");
            }
        }
    }

    static DynamoException unexpectedType() {
        return DynamoException.serialization("Unexpected value type in payload");
    }

    private static String lowerFirst(String field) {
        return Character.toLowerCase(field.charAt(0)) + field.substring(1);
    }
}
