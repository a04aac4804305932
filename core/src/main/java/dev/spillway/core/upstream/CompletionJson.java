package dev.spillway.core.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.spillway.core.api.RequestKind;

/**
 * Chat-completion bodies handled as the bytes they are: the direct lane forwards a client's request and an upstream's
 * answer without building objects from them, and changes only the top-level {@code model} name, spliced in place. A
 * streaming parser finds where that value sits (and checks an answer's shape) without building a tree.
 */
final class CompletionJson {

    private static final JsonFactory JSON = new JsonFactory();

    private CompletionJson() {
    }

    /**
     * Where the JSON starts: DeepSeek keeps busy connections open with blank lines and {@code : keep-alive} comments
     * before it.
     */
    static int jsonStart(byte[] body) {
        int start = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            int first = start;
            while (first < end && isBlank(body[first])) {
                first++;
            }
            if (first < end && body[first] != ':') {
                return start;
            }
            start = end + 1;
        }
        return body.length;
    }

    /** {@code json}, a request that passed Spillway's checks, with its top-level {@code model} set to {@code model}. */
    static byte[] withModel(byte[] json, String model) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isModel = "model".equals(parser.currentName());
                    JsonToken value = parser.nextToken();
                    if (isModel && value == JsonToken.VALUE_STRING) {
                        return spliced(json, parser, model);
                    }
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a checked chat-completions request", e);
        }
        throw new IllegalArgumentException("a checked chat-completions request has a model");
    }

    /**
     * An upstream's successful answer as the client receives it: keep-alive padding dropped, and the model the client
     * asked for in {@code model} (an upstream names its own model, which may be mapped).
     *
     * @throws UpstreamException retryable {@code upstream_bad_response} when it is not a JSON completion with choices
     */
    static byte[] answerFor(byte[] body, String clientModel) throws UpstreamException {
        return answerFor(body, clientModel, RequestKind.CHAT);
    }

    /** Like {@link #answerFor(byte[], String)}; an embeddings answer has its vectors in {@code data}, not choices. */
    static byte[] answerFor(byte[] body, String clientModel, RequestKind kind) throws UpstreamException {
        String contentField = kind == RequestKind.EMBEDDING ? "data" : "choices";
        int start = jsonStart(body);
        byte[] json = start == 0 ? body : Arrays.copyOfRange(body, start, body.length);
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw badResponse("upstream sent an unparseable completion: ", json, null);
            }
            int modelStart = -1;
            int modelEnd = -1;
            boolean modelMatches = false;
            boolean hasChoice = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("model".equals(field) && value == JsonToken.VALUE_STRING) {
                    modelStart = (int) parser.currentTokenLocation().getByteOffset();
                    modelMatches = clientModel.equals(parser.getText());
                    modelEnd = (int) parser.currentLocation().getByteOffset();
                } else if (contentField.equals(field) && value == JsonToken.START_ARRAY) {
                    JsonToken element = parser.nextToken();
                    hasChoice = element == JsonToken.START_OBJECT;
                    while (element != JsonToken.END_ARRAY && element != null) {
                        parser.skipChildren();
                        element = parser.nextToken();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw badResponse("upstream sent an unparseable completion: ", json, null);
            }
            if (!hasChoice) {
                throw badResponse("upstream completion has no " + contentField + ": ", json, null);
            }
            if (modelMatches) {
                return json;
            }
            return modelStart < 0 ? inserted(json, clientModel) : spliced(json, modelStart, modelEnd, clientModel);
        } catch (IOException e) {
            throw badResponse("upstream sent an unparseable completion: ", json, e);
        }
    }

    /** Replaces the string value the parser stands on. */
    private static byte[] spliced(byte[] json, JsonParser parser, String model) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.finishToken();
        return spliced(json, start, (int) parser.currentLocation().getByteOffset(), model);
    }

    /** {@code json} with the bytes in [start, end) (a string value, quotes included) replaced by {@code model}. */
    private static byte[] spliced(byte[] json, int start, int end, String model) {
        byte[] value = quoted(model);
        byte[] result = new byte[json.length - (end - start) + value.length];
        System.arraycopy(json, 0, result, 0, start);
        System.arraycopy(value, 0, result, start, value.length);
        System.arraycopy(json, end, result, start + value.length, json.length - end);
        return result;
    }

    /** {@code json} (an object) with {@code "model":...} added as its first field. */
    private static byte[] inserted(byte[] json, String model) {
        int brace = 0;
        while (json[brace] != '{') {
            brace++;
        }
        byte[] field = ("\"model\":" + new String(quoted(model), StandardCharsets.UTF_8) + ",")
                .getBytes(StandardCharsets.UTF_8);
        byte[] result = new byte[json.length + field.length];
        System.arraycopy(json, 0, result, 0, brace + 1);
        System.arraycopy(field, 0, result, brace + 1, field.length);
        System.arraycopy(json, brace + 1, result, brace + 1 + field.length, json.length - brace - 1);
        return result;
    }

    private static byte[] quoted(String text) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static UpstreamException badResponse(String what, byte[] json, Throwable cause) {
        return UpstreamException.retryable("upstream_bad_response",
                what + OpenAiCompatibleClient.abbreviate(new String(json, StandardCharsets.UTF_8)), null, cause);
    }
}
