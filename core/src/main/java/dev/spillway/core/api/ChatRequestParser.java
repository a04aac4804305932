package dev.spillway.core.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns a raw chat-completions body into a {@link ChatCompletionRequest}, or refuses it with an
 * {@link ApiException} naming the offending parameter. Parsing is strict on purpose: a request Spillway
 * cannot honour exactly is refused up front rather than queued and answered differently than asked.
 */
public final class ChatRequestParser {

    static final int MAX_NESTING_DEPTH = 32;
    static final int MAX_MESSAGES = 4096;
    static final int MAX_STOP_SEQUENCES = 4;
    static final int MAX_SHORT_STRING = 256;
    private static final String BODY = "The request body";

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** Fields clients send that do not change the answer; accepted and dropped. */
    private static final Set<String> IGNORED = Set.of("metadata", "store", "service_tier", "stream_options",
            "parallel_tool_calls");

    /** Fields that would change the answer in ways Spillway does not implement yet; refused unless neutral. */
    private static final Map<String, String> UNSUPPORTED = Map.of(
            "tools", "tool calling", "tool_choice", "tool calling", "functions", "function calling",
            "function_call", "function calling", "logprobs", "log probabilities", "top_logprobs", "log probabilities",
            "response_format", "structured output", "logit_bias", "logit bias", "audio", "audio output",
            "modalities", "non-text modalities");

    private static final Set<String> KNOWN = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
            "max_completion_tokens", "seed", "stop", "user", "n", "stream", "frequency_penalty", "presence_penalty");

    private static final StrictJson JSON = new StrictJson(MAX_NESTING_DEPTH);

    private final Predicate<String> modelServed;
    private final int maxTokensLimit;

    /**
     * @param modelServed which model names this deployment serves
     * @param maxTokensLimit the largest {@code max_tokens} a request may ask for
     */
    public ChatRequestParser(Predicate<String> modelServed, int maxTokensLimit) {
        this.modelServed = modelServed;
        this.maxTokensLimit = maxTokensLimit;
    }

    public ChatCompletionRequest parse(byte[] body) {
        JsonNode root = JSON.read(body, null, BODY);
        if (!root.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        checkFieldNames(root);

        String model = requiredString(root, "model");
        List<ChatMessage> messages = messages(root.get("messages"));
        Double temperature = optionalNumber(root, "temperature", 0.0, 2.0);
        Double topP = optionalNumber(root, "top_p", 0.0, 1.0);
        Integer maxTokens = maxTokens(root);
        Long seed = optionalLong(root, "seed");
        List<String> stop = stop(root.get("stop"));
        String user = optionalString(root, "user", MAX_SHORT_STRING);
        checkN(root.get("n"));
        checkStream(root.get("stream"));
        checkPenalty(root, "frequency_penalty");
        checkPenalty(root, "presence_penalty");

        if (!modelServed.test(model)) {
            throw new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                    "The model `" + model + "` does not exist or you do not have access to it.", null);
        }
        return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, seed, stop, user);
    }

    /**
     * U+FFFD is what invalid UTF-8 becomes when a gateway decodes the body before Spillway sees it (API
     * Gateway's Lambda events carry text), so it is refused like the invalid bytes themselves.
     */
    private static String text(JsonNode value) {
        String text = value.textValue();
        if (text.indexOf('\uFFFD') >= 0) {
            throw StrictJson.invalidEncoding(null, BODY);
        }
        return text;
    }

    private static void checkFieldNames(JsonNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (KNOWN.contains(field) || IGNORED.contains(field)) {
                continue;
            }
            String feature = UNSUPPORTED.get(field);
            if (feature != null) {
                if (!isNeutral(root.get(field))) {
                    throw ApiException.invalid(field, "unsupported_parameter",
                            "`" + field + "` is not supported yet (" + feature + ").");
                }
                continue;
            }
            throw ApiException.invalid(field, "unknown_parameter",
                    "Unrecognized request argument supplied: " + truncate(field));
        }
    }

    /** A feature field that asks for nothing: null, false, an empty list or object, or {"type":"text"}. */
    private static boolean isNeutral(JsonNode value) {
        return value.isNull() || (value.isBoolean() && !value.booleanValue())
                || (value.isContainerNode() && value.isEmpty())
                || (value.isObject() && value.size() == 1 && "text".equals(value.path("type").asText(null)));
    }

    private static String requiredString(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw ApiException.invalid(field, "missing_required_parameter", "Missing required parameter: '" + field + "'.");
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        String text = value.textValue();
        if (text.isBlank() || text.length() > MAX_SHORT_STRING) {
            throw ApiException.invalid(field, "'" + field + "' must be a non-empty string of at most "
                    + MAX_SHORT_STRING + " characters.");
        }
        return text;
    }

    private static String optionalString(JsonNode root, String field, int maxLength) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string", value);
        }
        if (value.textValue().length() > maxLength) {
            throw ApiException.invalid(field, "'" + field + "' must be at most " + maxLength + " characters.");
        }
        return value.textValue();
    }

    private static List<ChatMessage> messages(JsonNode value) {
        if (value == null || value.isNull()) {
            throw ApiException.invalid("messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
        }
        if (!value.isArray()) {
            throw wrongType("messages", "an array", value);
        }
        if (value.isEmpty()) {
            throw ApiException.invalid("messages", "empty_array", "'messages' must contain at least one message.");
        }
        if (value.size() > MAX_MESSAGES) {
            throw ApiException.invalid("messages", "'messages' must contain at most " + MAX_MESSAGES + " messages.");
        }
        List<ChatMessage> messages = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            messages.add(message(value.get(i), "messages[" + i + "]"));
        }
        return messages;
    }

    private static ChatMessage message(JsonNode node, String path) {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!field.equals("role") && !field.equals("content") && !field.equals("name")) {
                throw ApiException.invalid(path + "." + field, "unknown_parameter",
                        "Unrecognized message field: " + truncate(field) + " (tool calls are not supported yet).");
            }
        }
        JsonNode role = node.get("role");
        if (role == null || role.isNull()) {
            throw ApiException.invalid(path + ".role", "missing_required_parameter", "Missing required parameter: '" + path + ".role'.");
        }
        if (!role.isTextual()) {
            throw wrongType(path + ".role", "a string", role);
        }
        if (!ROLES.contains(role.textValue())) {
            throw ApiException.invalid(path + ".role", "invalid_role", "Invalid value for '" + path + ".role': '"
                    + truncate(role.textValue()) + "'. Supported values are: 'system', 'developer', 'user' and 'assistant'.");
        }
        String content = content(node.get("content"), path + ".content");
        JsonNode name = node.get("name");
        if (name != null && !name.isNull() && (!name.isTextual() || name.textValue().length() > 64)) {
            throw ApiException.invalid(path + ".name", "'" + path + ".name' must be a string of at most 64 characters.");
        }
        return new ChatMessage(role.textValue(), content, name == null || name.isNull() ? null : name.textValue());
    }

    /** A string, or an array of {@code {"type":"text","text":...}} parts, joined with newlines. */
    private static String content(JsonNode value, String path) {
        if (value == null || value.isNull()) {
            throw ApiException.invalid(path, "missing_required_parameter", "Missing required parameter: '" + path + "'.");
        }
        if (value.isTextual()) {
            return text(value);
        }
        if (!value.isArray() || value.isEmpty()) {
            throw wrongType(path, "a string or a non-empty array of text parts", value);
        }
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < value.size(); i++) {
            JsonNode part = value.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject() || !"text".equals(part.path("type").asText(null))) {
                throw ApiException.invalid(partPath + ".type", "unsupported_content",
                        "Only text content parts ({\"type\":\"text\",\"text\":...}) are supported.");
            }
            JsonNode partText = part.get("text");
            if (partText == null || !partText.isTextual()) {
                throw wrongType(partPath + ".text", "a string", partText);
            }
            if (i > 0) {
                joined.append('\n');
            }
            joined.append(text(partText));
        }
        return joined.toString();
    }

    private static Double optionalNumber(JsonNode root, String field, double min, double max) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(field, "a number", value);
        }
        double number = value.doubleValue();
        if (!(number >= min && number <= max)) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + min + " and " + max + ", got "
                    + value.asText() + ".");
        }
        return number;
    }

    private static Long optionalLong(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrongType(field, "a 64-bit integer", value);
        }
        return value.longValue();
    }

    private Integer maxTokens(JsonNode root) {
        Integer legacy = positiveInt(root, "max_tokens");
        Integer current = positiveInt(root, "max_completion_tokens");
        if (legacy != null && current != null && !legacy.equals(current)) {
            throw ApiException.invalid("max_completion_tokens",
                    "'max_tokens' and 'max_completion_tokens' disagree; send only one.");
        }
        return current != null ? current : legacy;
    }

    private Integer positiveInt(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(field, "an integer", value);
        }
        int number = value.intValue();
        if (number < 1 || number > maxTokensLimit) {
            throw ApiException.invalid(field, "'" + field + "' must be between 1 and " + maxTokensLimit + ", got "
                    + number + ".");
        }
        return number;
    }

    private static List<String> stop(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return nonEmptyStop(value.textValue(), "stop") ? List.of(value.textValue()) : null;
        }
        if (!value.isArray()) {
            throw wrongType("stop", "a string or an array of strings", value);
        }
        if (value.size() > MAX_STOP_SEQUENCES) {
            throw ApiException.invalid("stop", "'stop' may hold at most " + MAX_STOP_SEQUENCES + " sequences.");
        }
        List<String> sequences = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual()) {
                throw wrongType("stop[" + i + "]", "a string", item);
            }
            if (nonEmptyStop(item.textValue(), "stop[" + i + "]")) {
                sequences.add(item.textValue());
            }
        }
        return sequences;
    }

    private static boolean nonEmptyStop(String sequence, String param) {
        if (sequence.length() > MAX_SHORT_STRING) {
            throw ApiException.invalid(param, "Stop sequences must be at most " + MAX_SHORT_STRING + " characters.");
        }
        return !sequence.isEmpty();
    }

    private static void checkN(JsonNode value) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType("n", "an integer", value);
        }
        if (value.intValue() != 1) {
            throw ApiException.invalid("n", "unsupported_parameter",
                    "Only n=1 is supported: ask for one choice per request.");
        }
    }

    private static void checkStream(JsonNode value) {
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isBoolean()) {
            throw wrongType("stream", "a boolean", value);
        }
        if (value.booleanValue()) {
            throw ApiException.invalid("stream", "unsupported_parameter",
                    "Streaming is not supported yet: send stream=false (or omit it).");
        }
    }

    private static void checkPenalty(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber()) {
            throw wrongType(field, "a number", value);
        }
        if (value.doubleValue() != 0.0) {
            throw ApiException.invalid(field, "unsupported_parameter", "'" + field + "' is not supported yet; send 0 or omit it.");
        }
    }

    private static ApiException wrongType(String param, String expected, JsonNode actual) {
        String kind = actual == null ? "nothing" : actual.getNodeType().name().toLowerCase();
        return ApiException.invalid(param, "invalid_type", "Invalid type for '" + param + "': expected " + expected
                + ", but got " + kind + ".");
    }

    private static String truncate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
