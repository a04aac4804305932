package dev.spillway.local.dynamo.conformance;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Plays one case against one server: its setup calls (each must give its expected outcome, by default success), then
 * its request, whose outcome it returns. Placeholders are filled in just before each call, so a value captured from
 * one answer (a stream ARN, say) can be used by the calls after it.
 */
final class CaseRunner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SUCCESS = JsonNodeFactory.instance.objectNode().put("status", 200);

    private CaseRunner() {
    }

    static Outcome run(ConformanceCase testCase, DynamoWire wire) {
        Map<String, String> variables = new HashMap<>();
        variables.put("T", testCase.tableName());
        variables.put("T2", testCase.tableName() + "b");
        List<ConformanceCase.Step> setup = testCase.setup();
        for (int i = 0; i < setup.size(); i++) {
            ConformanceCase.Step step = setup.get(i);
            Outcome outcome = call(step, wire, variables);
            JsonNode expect = step.expect() == null ? SUCCESS : substitute(step.expect(), variables);
            List<String> problems = Expectation.mismatches(expect, outcome, step.target());
            if (!problems.isEmpty()) {
                throw new AssertionError("setup step " + (i + 1) + " (" + step.target() + ") of "
                        + testCase.displayName() + " did not go as planned: " + problems + "\n" + outcome);
            }
            capture(step, outcome, variables);
            if (outcome.status() == 200) {
                waitUntilSettled(step.target(), outcome, wire);
            }
        }
        return call(testCase.request(), wire, variables);
    }

    /**
     * Table changes take effect asynchronously in DynamoDB (and dynalite): like the SDK's waiters, wait until a created
     * or updated table is ACTIVE and a deleted one is gone before the next call.
     */
    private static void waitUntilSettled(String target, Outcome outcome, DynamoWire wire) {
        String table = outcome.rawBody().path("TableDescription").path("TableName").asText(null);
        if (table == null || !Set.of("CreateTable", "UpdateTable", "DeleteTable").contains(target)) {
            return;
        }
        String describe = "{\"TableName\":" + JsonNodeFactory.instance.textNode(table) + "}";
        await(target + " of " + table + " to settle").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    Outcome described = wire.call("DescribeTable", describe);
                    return target.equals("DeleteTable") ? "ResourceNotFoundException".equals(described.errorType())
                            : isActive(described.rawBody().path("Table"));
                });
    }

    private static boolean isActive(JsonNode table) {
        boolean indexesActive = true;
        for (JsonNode index : table.path("GlobalSecondaryIndexes")) {
            indexesActive &= "ACTIVE".equals(index.path("IndexStatus").asText());
        }
        return "ACTIVE".equals(table.path("TableStatus").asText()) && indexesActive;
    }

    /** The case's expectation with its placeholders filled in, as the request saw them. */
    static JsonNode expectation(ConformanceCase testCase) {
        Map<String, String> variables = Map.of("T", testCase.tableName(), "T2", testCase.tableName() + "b");
        return substitute(testCase.expect(), variables);
    }

    private static Outcome call(ConformanceCase.Step step, DynamoWire wire, Map<String, String> variables) {
        String body = step.rawBody() != null ? step.rawBody()
                : step.body() == null ? "{}" : write(expandMacros(substitute(step.body(), variables)));
        return wire.call(step.target(), body);
    }

    private static void capture(ConformanceCase.Step step, Outcome outcome, Map<String, String> variables) {
        if (step.capture() == null) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = step.capture().fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = outcome.rawBody().at(entry.getValue().asText());
            if (value.isMissingNode()) {
                throw new AssertionError("nothing at " + entry.getValue().asText() + " to capture as "
                        + entry.getKey() + " in\n" + outcome.rawBody());
            }
            variables.put(entry.getKey(), value.isTextual() ? value.asText() : value.toString());
        }
    }

    static JsonNode substitute(JsonNode node, Map<String, String> variables) {
        String text = write(node);
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            text = text.replace("${" + variable.getKey() + "}", variable.getValue());
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code {"$repeat": "x", "times": 5}} becomes "xxxxx" (for items near the size limit);
     * {@code {"$times": 3, "each": {...}}} becomes an array of three copies with {@code ${i}} numbered 0, 1, 2.
     */
    static JsonNode expandMacros(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("$repeat")) {
                return JsonNodeFactory.instance.textNode(object.get("$repeat").asText().repeat(object.get("times").asInt()));
            }
            if (object.has("$times")) {
                ArrayNode copies = JsonNodeFactory.instance.arrayNode();
                for (int i = 0; i < object.get("$times").asInt(); i++) {
                    copies.add(expandMacros(substitute(object.get("each"), Map.of("i", Integer.toString(i)))));
                }
                return copies;
            }
            ObjectNode expanded = JsonNodeFactory.instance.objectNode();
            object.fields().forEachRemaining(field -> expanded.set(field.getKey(), expandMacros(field.getValue())));
            return expanded;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode expanded = JsonNodeFactory.instance.arrayNode();
            array.forEach(element -> {
                JsonNode value = expandMacros(element);
                // a $times inside an array splices its copies into it
                if (element instanceof ObjectNode o && o.has("$times")) {
                    expanded.addAll((ArrayNode) value);
                } else {
                    expanded.add(value);
                }
            });
            return expanded;
        }
        return node;
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
