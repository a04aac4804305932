package dev.spillway.core.batch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.core.api.ApiError;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatRequestParser;
import dev.spillway.core.api.StrictJson;

/**
 * Turns a {@code POST /v1/batches} body into validated requests, or refuses the whole batch with an
 * {@link ApiException} naming the first offending request line. Accepts a JSON object
 * {@code {"requests":[...], "endpoint", "completion_window", "metadata"}} or JSON Lines of batch request lines.
 * Each line's {@code body} goes through the chat endpoint's own {@link ChatRequestParser}.
 */
public final class BatchRequestParser {

    public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    public static final String COMPLETION_WINDOW = "24h";
    static final int MAX_CUSTOM_ID = 512;
    static final int MAX_METADATA_PAIRS = 16;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;
    /** Room for the chat body's own nesting limit inside the batch object and its line. */
    private static final int MAX_NESTING_DEPTH = 40;

    private static final Set<String> BATCH_FIELDS = Set.of("requests", "endpoint", "completion_window", "metadata");
    private static final Set<String> LINE_FIELDS = Set.of("custom_id", "method", "url", "body");

    private static final StrictJson JSON = new StrictJson(MAX_NESTING_DEPTH);

    /** A validated batch: where its requests go, its window, the client's labels and the requests in order. */
    public record ParsedBatch(String endpoint, String completionWindow, Map<String, String> metadata,
            List<ParsedLine> lines) {
    }

    public record ParsedLine(String customId, ChatCompletionRequest request) {
    }

    private final ChatRequestParser chat;
    private final int maxRequests;
    private final int maxLineBodyBytes;

    public BatchRequestParser(ChatRequestParser chat, int maxRequests, int maxLineBodyBytes) {
        this.chat = chat;
        this.maxRequests = maxRequests;
        this.maxLineBodyBytes = maxLineBodyBytes;
    }

    /** A JSON object with {@code requests} and the batch's settings. */
    public ParsedBatch parseObject(byte[] body) {
        JsonNode root = read(body, null);
        if (!root.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (field.equals("input_file_id")) {
                throw ApiException.invalid(field, "unsupported_parameter", "File uploads are not supported: send "
                        + "the batch request lines inline in 'requests', or as a JSON Lines body.");
            }
            if (!BATCH_FIELDS.contains(field)) {
                throw ApiException.invalid(field, "unknown_parameter",
                        "Unrecognized request argument supplied: " + truncate(field));
            }
        }
        String endpoint = optionalText(root, "endpoint", CHAT_COMPLETIONS);
        if (!endpoint.equals(CHAT_COMPLETIONS)) {
            throw ApiException.invalid("endpoint", "unsupported_endpoint",
                    "Only '" + CHAT_COMPLETIONS + "' batches are supported.");
        }
        String window = optionalText(root, "completion_window", COMPLETION_WINDOW);
        if (!window.equals(COMPLETION_WINDOW)) {
            throw ApiException.invalid("completion_window", "'completion_window' must be '24h'.");
        }
        Map<String, String> metadata = metadata(root.get("metadata"));
        JsonNode requests = root.get("requests");
        if (requests == null || requests.isNull()) {
            throw ApiException.invalid("requests", "missing_required_parameter",
                    "Missing required parameter: 'requests'.");
        }
        if (!requests.isArray()) {
            throw ApiException.invalid("requests", "invalid_type", "'requests' must be an array of batch request lines.");
        }
        List<JsonNode> lines = new ArrayList<>(requests.size());
        requests.forEach(lines::add);
        return new ParsedBatch(endpoint, window, metadata, lines(lines));
    }

    /** JSON Lines: one batch request line per line, as in an OpenAI batch input file. */
    public ParsedBatch parseJsonLines(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.invalid("requests", "empty_array", "The batch holds no requests.");
        }
        String text = new String(body, StandardCharsets.UTF_8);
        List<JsonNode> lines = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            if (lines.size() >= maxRequests) {
                throw tooMany();
            }
            lines.add(read(line.getBytes(StandardCharsets.UTF_8), "requests[" + number + "]"));
            number++;
        }
        return new ParsedBatch(CHAT_COMPLETIONS, COMPLETION_WINDOW, Map.of(), lines(lines));
    }

    /**
     * One line of an OpenAI batch input file, read on its own: the file is streamed, so the caller checks that
     * {@code custom_id}s are unique and counts the lines.
     *
     * @param index the line's position in the file (0-based), which error messages and params name
     * @throws ApiException naming what is wrong with the line
     */
    public ParsedLine parseLine(byte[] line, int index) {
        return line(JSON.read(line, "requests[" + index + "]", "Batch request " + (index + 1)), index);
    }

    private List<ParsedLine> lines(List<JsonNode> nodes) {
        if (nodes.isEmpty()) {
            throw ApiException.invalid("requests", "empty_array", "The batch holds no requests.");
        }
        if (nodes.size() > maxRequests) {
            throw tooMany();
        }
        Set<String> customIds = new HashSet<>();
        List<ParsedLine> lines = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            ParsedLine line = line(nodes.get(i), i);
            if (!customIds.add(line.customId())) {
                throw lineError(i, "custom_id", "duplicate_custom_id",
                        "custom_id '" + truncate(line.customId()) + "' is used by an earlier request; each must be unique.");
            }
            lines.add(line);
        }
        return lines;
    }

    private ParsedLine line(JsonNode node, int index) {
        if (!node.isObject()) {
            throw lineError(index, null, "invalid_type", "A batch request line must be a JSON object.");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!LINE_FIELDS.contains(field)) {
                throw lineError(index, field, "unknown_parameter", "Unrecognized field: " + truncate(field));
            }
        }
        JsonNode customId = node.get("custom_id");
        if (customId == null || customId.isNull()) {
            throw lineError(index, "custom_id", "missing_required_parameter", "Missing required field 'custom_id'.");
        }
        if (!customId.isTextual() || customId.textValue().isEmpty() || customId.textValue().length() > MAX_CUSTOM_ID
                || !customId.textValue().chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != '\uFFFD')) {
            throw lineError(index, "custom_id", "invalid_value", "'custom_id' must be a string of 1 to "
                    + MAX_CUSTOM_ID + " printable characters.");
        }
        if (!"POST".equals(node.path("method").textValue())) {
            throw lineError(index, "method", "invalid_value", "'method' must be 'POST'.");
        }
        if (!CHAT_COMPLETIONS.equals(node.path("url").textValue())) {
            throw lineError(index, "url", "invalid_value", "'url' must be '" + CHAT_COMPLETIONS + "'.");
        }
        JsonNode body = node.get("body");
        if (body == null || !body.isObject()) {
            throw lineError(index, "body", body == null ? "missing_required_parameter" : "invalid_type",
                    "'body' must be the chat completion request, a JSON object.");
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxLineBodyBytes) {
            throw new ApiException(413, ApiException.INVALID_REQUEST, "request_too_large", param(index, "body"),
                    line(index) + "its body is " + bytes.length + " bytes; the limit is " + maxLineBodyBytes + ".",
                    null);
        }
        ChatCompletionRequest request;
        try {
            request = chat.parse(bytes);
        } catch (ApiException e) {
            throw atLine(e, index, "body");
        }
        if (request.stream()) {
            // a batch's answers are read from its output file; there is no one to stream to
            throw atLine(ApiException.invalid("stream", "unsupported_parameter",
                    "A batch request cannot stream: send stream=false (or omit it)."), index, "body");
        }
        return new ParsedLine(customId.textValue(), request);
    }

    private Map<String, String> metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject() || node.size() > MAX_METADATA_PAIRS) {
            throw ApiException.invalid("metadata", "'metadata' must be an object of at most " + MAX_METADATA_PAIRS
                    + " string values.");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().isEmpty() || entry.getKey().length() > MAX_METADATA_KEY || !entry.getValue().isTextual()
                    || entry.getValue().textValue().length() > MAX_METADATA_VALUE) {
                throw ApiException.invalid("metadata", "'metadata' keys must be 1 to " + MAX_METADATA_KEY
                        + " characters and values strings of at most " + MAX_METADATA_VALUE + " characters.");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }

    private static String optionalText(JsonNode root, String field, String absent) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid(field, "invalid_type", "'" + field + "' must be a string.");
        }
        return value.textValue();
    }

    private static JsonNode read(byte[] body, String param) {
        return JSON.read(body, param, param == null ? "The request body" : "Batch request line " + param);
    }

    private ApiException tooMany() {
        return new ApiException(413, ApiException.INVALID_REQUEST, "too_many_requests_in_batch", "requests",
                "A batch may hold at most " + maxRequests + " requests.", null);
    }

    /** The chat parser's refusal, re-aimed at the line it came from. */
    private static ApiException atLine(ApiException e, int index, String field) {
        ApiError.Detail detail = e.toBody().error();
        String param = param(index, detail.param() == null ? field : field + "." + detail.param());
        return new ApiException(e.status(), detail.type(), detail.code(), param, line(index) + detail.message(),
                null);
    }

    static ApiException lineError(int index, String field, String code, String message) {
        return ApiException.invalid(param(index, field), code, line(index) + message);
    }

    private static String param(int index, String field) {
        return "requests[" + index + "]" + (field == null ? "" : "." + field);
    }

    private static String line(int index) {
        return "Batch request " + (index + 1) + ": ";
    }

    private static String truncate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }
}
