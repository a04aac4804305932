package dev.spillway.local.dynamo.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a client can observe of one DynamoDB call: the HTTP status, the error type (the part of {@code __type} after
 * '#'), the error message, and the body with the fields DynamoDB itself leaves vague taken out. {@code rawBody} is the
 * answer as received, for capturing values; it takes no part in comparisons.
 */
record Outcome(int status, String errorType, String message, JsonNode body, JsonNode rawBody) {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    static Outcome of(int status, JsonNode rawBody, String operation) {
        if (status == 200) {
            return new Outcome(status, null, null, BodyNormalizer.normalize(rawBody, operation), rawBody);
        }
        String type = rawBody.path("__type").asText("");
        String message = rawBody.has("message") ? rawBody.get("message").asText()
                : rawBody.has("Message") ? rawBody.get("Message").asText() : null;
        JsonNode rest = BodyNormalizer.normalize(rawBody, operation);
        ((com.fasterxml.jackson.databind.node.ObjectNode) rest).remove(java.util.List.of("__type", "message", "Message"));
        return new Outcome(status, type.substring(type.indexOf('#') + 1), message, rest, rawBody);
    }

    /** Same status, error type and normalized body; messages too when {@code withMessage}. */
    boolean sameAs(Outcome other, boolean withMessage) {
        return status == other.status && java.util.Objects.equals(errorType, other.errorType)
                && (!withMessage || java.util.Objects.equals(message, other.message))
                && Expectation.sameJson(body, other.body);
    }

    Outcome withItemsSorted() {
        JsonNode sorted = body.deepCopy();
        if (sorted.get("Items") instanceof com.fasterxml.jackson.databind.node.ArrayNode items) {
            BodyNormalizer.sort(items);
        }
        return new Outcome(status, errorType, message, sorted, rawBody);
    }

    boolean isError() {
        return status != 200;
    }

    /** Multi-line, keys sorted, so two outcomes printed one above the other can be compared by eye. */
    @Override
    public String toString() {
        try {
            String head = "HTTP " + status + (isError() ? " " + errorType + ": " + message : "");
            return body == null || body.isEmpty() ? head
                    : head + "\n" + PRETTY.writeValueAsString(PRETTY.treeToValue(body, Object.class));
        } catch (Exception e) {
            return "HTTP " + status + " " + body;
        }
    }
}
