package dev.spillway.core.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads a client's JSON strictly, for every parser of request bodies: duplicate keys, {@code NaN}, trailing content
 * and nesting past the limit are refused with an {@link ApiException} ({@code invalid_json}; {@code invalid_encoding}
 * for bytes that are not UTF-8), so Spillway never reads a body differently from the client's own JSON library.
 * Safe for concurrent use.
 */
public final class StrictJson {

    private static final int MAX_ERROR_LINE = 200;

    private final ObjectMapper mapper;

    /** @param maxNestingDepth deepest nesting of arrays and objects accepted */
    public StrictJson(int maxNestingDepth) {
        this.mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth)
                .build());
    }

    /**
     * One JSON value, never empty.
     *
     * @param param the refusal's {@code param}: null for the whole body, else where in it {@code body} sits
     * @param what how the refusal names {@code body}, e.g. {@code The request body}
     */
    public JsonNode read(byte[] body, String param, String what) {
        if (body == null || body.length == 0) {
            throw empty(param, what);
        }
        try (JsonParser parser = mapper.createParser(body)) {
            JsonNode node = mapper.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw empty(param, what);
            }
            return node;
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Invalid UTF-8")) {
                throw invalidEncoding(param, what);
            }
            throw ApiException.invalid(param, "invalid_json", what + " is not valid JSON: " + firstLine(message));
        }
    }

    /** The refusal of bytes that are not UTF-8. */
    public static ApiException invalidEncoding(String param, String what) {
        return ApiException.invalid(param, "invalid_encoding", what + " is not valid UTF-8.");
    }

    private static ApiException empty(String param, String what) {
        return ApiException.invalid(param, "invalid_json", what + " is empty; expected a JSON object.");
    }

    private static String firstLine(String message) {
        int cut = message.indexOf('\n');
        String line = cut < 0 ? message : message.substring(0, cut);
        return line.length() > MAX_ERROR_LINE ? line.substring(0, MAX_ERROR_LINE) + "..." : line;
    }
}
