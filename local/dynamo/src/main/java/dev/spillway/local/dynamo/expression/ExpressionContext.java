package dev.spillway.local.dynamo.expression;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The ExpressionAttributeNames/Values of one request, shared by all its expressions; records which were used so
 * that unused ones can be rejected as DynamoDB does. Not thread-safe: one per request.
 */
public final class ExpressionContext {

    private static final Pattern NAME_KEY = Pattern.compile("#[0-9a-zA-Z_]+");
    private static final Pattern VALUE_KEY = Pattern.compile(":[0-9a-zA-Z_]+");

    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> unusedNames;
    private final Set<String> unusedValues;

    /**
     * Either map may be null (the parameter was absent). Iteration order of the maps is the order of the request,
     * used in the unused-keys message.
     *
     * @throws DynamoException DynamoDB's ValidationException for an empty map or a key of the wrong syntax
     */
    public ExpressionContext(Map<String, String> names, Map<String, AttributeValue> values) {
        this.names = names == null ? Map.of() : names;
        this.values = values == null ? Map.of() : values;
        if (names != null) {
            if (names.isEmpty()) {
                throw DynamoException.validation("ExpressionAttributeNames must not be empty");
            }
            checkKeys(names.keySet(), NAME_KEY, "ExpressionAttributeNames");
        }
        if (values != null) {
            if (values.isEmpty()) {
                throw DynamoException.validation("ExpressionAttributeValues must not be empty");
            }
            checkKeys(values.keySet(), VALUE_KEY, "ExpressionAttributeValues");
        }
        this.unusedNames = new LinkedHashSet<>(this.names.keySet());
        this.unusedValues = new LinkedHashSet<>(this.values.keySet());
    }

    /** A context with no names and no values. */
    public static ExpressionContext empty() {
        return new ExpressionContext(null, null);
    }

    /** After all expressions of a request were parsed: DynamoDB's ValidationException for unused names/values. */
    public void verifyAllUsed() {
        if (!unusedNames.isEmpty()) {
            throw DynamoException.validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                    + String.join(", ", unusedNames) + "}");
        }
        if (!unusedValues.isEmpty()) {
            throw DynamoException.validation("Value provided in ExpressionAttributeValues unused in expressions: "
                    + "keys: {" + String.join(", ", unusedValues) + "}");
        }
    }

    /** The attribute name for a placeholder, marking it used; null when undefined. */
    String name(String placeholder) {
        String name = names.get(placeholder);
        if (name != null) {
            unusedNames.remove(placeholder);
        }
        return name;
    }

    /** The value for a placeholder, marking it used; null when undefined. */
    AttributeValue value(String placeholder) {
        AttributeValue value = values.get(placeholder);
        if (value != null) {
            unusedValues.remove(placeholder);
        }
        return value;
    }

    private static void checkKeys(Set<String> keys, Pattern syntax, String parameter) {
        for (String key : keys) {
            if (!syntax.matcher(key).matches()) {
                throw DynamoException.validation(parameter + " contains invalid key: Syntax error; key: \"" + key
                        + "\"");
            }
        }
    }
}
