package dev.spillway.capacity;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads typed values from CDK context: {@code cdk.json}'s {@code context} object or {@code -c key=value}, where
 * values given on the command line arrive as strings. The CDK app and the capacity planner both read through
 * here, so a key means the same number to both.
 */
public final class ContextValues {

    private ContextValues() {
    }

    public static String string(final Function<String, Object> context, final String key, final String fallback) {
        Object value = context.apply(key);
        return value == null ? fallback : String.valueOf(value).trim();
    }

    public static boolean bool(final Function<String, Object> context, final String key, final boolean fallback) {
        Object value = context.apply(key);
        return value == null ? fallback : Boolean.parseBoolean(String.valueOf(value).trim());
    }

    public static int integer(final Function<String, Object> context, final String key, final int fallback) {
        Integer value = optionalInteger(context, key);
        return value == null ? fallback : value;
    }

    /** Null when the key is absent or blank. */
    public static Integer optionalInteger(final Function<String, Object> context, final String key) {
        Object value = context.apply(key);
        if (value == null || String.valueOf(value).isBlank()) {
            return null;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.valueOf(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Context '" + key + "' must be an integer, got '" + value + "'", e);
        }
    }

    /** A JSON list from {@code cdk.json}, or a comma-separated string from the command line. */
    public static List<String> list(final Function<String, Object> context, final String key, final List<String> fallback) {
        Object value = context.apply(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> items) {
            return items.stream().map(String::valueOf).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return Arrays.stream(String.valueOf(value).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
