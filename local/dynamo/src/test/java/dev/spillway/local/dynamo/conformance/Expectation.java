package dev.spillway.local.dynamo.conformance;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * Checks an outcome against a case's {@code expect}: {@code status} (200 unless an {@code errorType} is given, then
 * 400), {@code errorType}, {@code message} (exact) or {@code messageStartsWith} / {@code messageContains}, {@code body}
 * (every field given must be there with that value; arrays element by element), {@code absent} (JSON pointers that
 * must not be in the body), {@code unorderedItems} (Items compared as a bag).
 */
final class Expectation {

    private Expectation() {
    }

    static List<String> mismatches(JsonNode expect, Outcome outcome, String operation) {
        List<String> problems = new ArrayList<>();
        int status = expect.path("status").asInt(expect.has("errorType") ? 400 : 200);
        if (outcome.status() != status) {
            problems.add("status " + outcome.status() + ", expected " + status);
        }
        if (expect.has("errorType") && !expect.get("errorType").asText().equals(outcome.errorType())) {
            problems.add("error type " + outcome.errorType() + ", expected " + expect.get("errorType").asText());
        }
        String message = Objects.requireNonNullElse(outcome.message(), "");
        if (expect.has("message") && !expect.get("message").asText().equals(message)) {
            problems.add("message \"" + message + "\", expected \"" + expect.get("message").asText() + "\"");
        }
        if (expect.has("messageStartsWith") && !message.startsWith(expect.get("messageStartsWith").asText())) {
            problems.add("message \"" + message + "\" does not start with \"" + expect.get("messageStartsWith").asText()
                    + "\"");
        }
        if (expect.has("messageContains") && !message.contains(expect.get("messageContains").asText())) {
            problems.add("message \"" + message + "\" does not contain \"" + expect.get("messageContains").asText()
                    + "\"");
        }
        if (expect.has("body")) {
            JsonNode expectedBody = BodyNormalizer.normalize(expect.get("body"), operation);
            if (expect.path("unorderedItems").asBoolean() && expectedBody.get("Items") instanceof ArrayNode items) {
                BodyNormalizer.sort(items);
            }
            contains(expectedBody, outcome.body(), "", problems);
        }
        for (JsonNode pointer : expect.path("absent")) {
            if (!outcome.body().at(pointer.asText()).isMissingNode()) {
                problems.add(pointer.asText() + " is present, expected absent");
            }
        }
        return problems;
    }

    private static void contains(JsonNode expected, JsonNode actual, String path, List<String> problems) {
        if (expected.isObject()) {
            if (!actual.isObject()) {
                problems.add(path + " is " + actual + ", expected an object like " + expected);
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = actual.get(field.getKey());
                if (value == null) {
                    problems.add(path + "/" + field.getKey() + " is missing, expected " + field.getValue());
                } else {
                    contains(field.getValue(), value, path + "/" + field.getKey(), problems);
                }
            }
        } else if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                problems.add(path + " is " + actual + ", expected " + expected.size() + " elements like " + expected);
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                contains(expected.get(i), actual.get(i), path + "/" + i, problems);
            }
        } else if (!sameJson(expected, actual)) {
            problems.add(path + " is " + actual + ", expected " + expected);
        }
    }

    /** JSON equality where 1, 1.0 and 1e0 are the same number. */
    static boolean sameJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
                : x.equals(y) ? 0 : 1, b);
    }
}
