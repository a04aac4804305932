package dev.spillway.core.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns a raw chat-completions body into a {@link ChatCompletionRequest}, or refuses it with an {@link ApiException}
 * naming the offending parameter. Every field OpenAI's API defines is checked for type and range (a malformed request
 * is refused up front, never queued to fail later), then the body is kept as it came: what a model server accepts
 * reaches it. Fields Spillway does not know are kept too when the model's engine is OpenAI-compatible; a model served
 * by the embedded llama.cpp engine refuses what that engine cannot do, naming the field and the model.
 */
public final class ChatRequestParser {

    static final int MAX_NESTING_DEPTH = 32;
    static final int MAX_MESSAGES = 4096;
    static final int MAX_STOP_SEQUENCES = 4;
    static final int MAX_SHORT_STRING = 256;
    static final int MAX_CHOICES = 128;
    static final int MAX_TOOLS = 128;
    static final int MAX_TOP_LOGPROBS = 20;
    private static final String BODY = "The request body";

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_calls", "tool_call_id",
            "function_call", "refusal", "reasoning_content", "prefix", "audio");
    private static final Set<String> CONTENT_PART_TYPES = Set.of("text", "image_url", "input_audio", "file",
            "refusal");
    private static final Set<String> RESPONSE_FORMATS = Set.of("text", "json_object", "json_schema");
    private static final Set<String> TOOL_CHOICES = Set.of("none", "auto", "required");

    /** OpenAI's request fields: checked here, and passed on to OpenAI-compatible engines. */
    private static final Set<String> KNOWN = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
            "max_completion_tokens", "seed", "stop", "user", "n", "stream", "stream_options", "frequency_penalty",
            "presence_penalty", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "functions",
            "function_call", "response_format", "logit_bias", "metadata", "store", "service_tier", "reasoning_effort",
            "modalities", "audio", "prediction", "web_search_options");

    /** What the embedded llama.cpp engine honours; any other field must be absent or ask for nothing. */
    private static final Set<String> LLAMA_CPP_FIELDS = Set.of("model", "messages", "temperature", "top_p",
            "max_tokens", "max_completion_tokens", "seed", "stop", "user", "n", "stream", "stream_options",
            "frequency_penalty", "presence_penalty", "response_format", "metadata", "store", "service_tier",
            "parallel_tool_calls");

    static final int MAX_COMPLETION_LOGPROBS = 20;
    static final int MAX_INPUTS = 2048;
    static final int MAX_DIMENSIONS = 65536;
    private static final Set<String> ENCODING_FORMATS = Set.of("float", "base64");

    /** OpenAI's (and DeepSeek's FIM) {@code /v1/completions} fields. */
    private static final Set<String> COMPLETION_KNOWN = Set.of("model", "prompt", "suffix", "max_tokens", "temperature",
            "top_p", "n", "stream", "stream_options", "logprobs", "echo", "stop", "presence_penalty",
            "frequency_penalty", "best_of", "logit_bias", "seed", "user");

    /** What the embedded llama.cpp engine honours of a text completion. */
    private static final Set<String> LLAMA_CPP_COMPLETION_FIELDS = Set.of("model", "prompt", "max_tokens",
            "temperature", "top_p", "n", "best_of", "stream", "stream_options", "stop", "presence_penalty",
            "frequency_penalty", "seed", "user");

    private static final StrictJson JSON = new StrictJson(MAX_NESTING_DEPTH);

    private final Predicate<String> modelServed;
    private final Predicate<String> openAiCompatible;
    private final BiPredicate<String, RequestKind> endpointServed;
    private final int maxTokensLimit;

    /**
     * A parser for models that are all served by OpenAI-compatible engines.
     *
     * @param modelServed which model names this deployment serves
     * @param maxTokensLimit the largest {@code max_tokens} a request may ask for
     */
    public ChatRequestParser(Predicate<String> modelServed, int maxTokensLimit) {
        this(modelServed, model -> true, maxTokensLimit);
    }

    /** @param openAiCompatible whether a served model's engine takes every OpenAI field (else it is llama.cpp) */
    public ChatRequestParser(Predicate<String> modelServed, Predicate<String> openAiCompatible, int maxTokensLimit) {
        this(modelServed, openAiCompatible, (model, kind) -> true, maxTokensLimit);
    }

    /**
     * @param endpointServed whether a served model's fleet engine serves an endpoint at all (a llama.cpp model
     *        serves no embeddings; a deployment may narrow an OpenAI-compatible model's endpoints)
     */
    public ChatRequestParser(Predicate<String> modelServed, Predicate<String> openAiCompatible,
            BiPredicate<String, RequestKind> endpointServed, int maxTokensLimit) {
        this.modelServed = modelServed;
        this.openAiCompatible = openAiCompatible;
        this.endpointServed = endpointServed;
        this.maxTokensLimit = maxTokensLimit;
    }

    /** A body sent to the endpoint of {@code kind}, checked as that endpoint defines it. */
    public ChatCompletionRequest parse(RequestKind kind, byte[] body) {
        return switch (kind) {
            case CHAT -> parse(body);
            case COMPLETION -> parseCompletion(body);
            case EMBEDDING -> parseEmbedding(body);
        };
    }

    /**
     * A {@code /v1/completions} body: a {@code prompt} (a string, strings, token ids or lists of them), DeepSeek's
     * fill-in-the-middle {@code suffix}, and the legacy sampling fields ({@code logprobs} as a count, {@code echo},
     * {@code best_of}).
     */
    private ChatCompletionRequest parseCompletion(byte[] body) {
        ObjectNode root = object(body);
        String model = requiredString(root, "model");
        checkInput(root, "prompt");
        optionalString(root, "suffix", Integer.MAX_VALUE);
        positiveInt(root, "max_tokens");
        optionalNumber(root, "temperature", 0.0, 2.0);
        optionalNumber(root, "top_p", 0.0, 1.0);
        Integer n = optionalInt(root, "n", 1, MAX_CHOICES);
        checkStream(root);
        optionalInt(root, "logprobs", 0, MAX_COMPLETION_LOGPROBS);
        optionalOfType(root, "echo", JsonNode::isBoolean, "a boolean");
        stop(root.get("stop"));
        optionalNumber(root, "presence_penalty", -2.0, 2.0);
        optionalNumber(root, "frequency_penalty", -2.0, 2.0);
        Integer bestOf = optionalInt(root, "best_of", 1, MAX_CHOICES);
        if (bestOf != null && bestOf < (n == null ? 1 : n)) {
            throw ApiException.invalid("best_of", "'best_of' must be greater than or equal to 'n'.");
        }
        if (bestOf != null && bestOf > 1 && root.path("stream").asBoolean(false)) {
            throw ApiException.invalid("best_of", "'best_of' cannot be used with 'stream'.");
        }
        checkLogitBias(root.get("logit_bias"));
        optionalLong(root, "seed");
        optionalString(root, "user", MAX_SHORT_STRING);
        checkServed(model, RequestKind.COMPLETION);
        if (!openAiCompatible.test(model)) {
            checkLlamaCppCanComplete(root, model);
        }
        return ChatCompletionRequest.of(RequestKind.COMPLETION, root);
    }

    /** A {@code /v1/embeddings} body: an {@code input} (a string, strings, token ids or lists of them). */
    private ChatCompletionRequest parseEmbedding(byte[] body) {
        ObjectNode root = object(body);
        String model = requiredString(root, "model");
        checkInput(root, "input");
        JsonNode format = root.get("encoding_format");
        if (format != null && !format.isNull()) {
            if (!format.isTextual()) {
                throw wrongType("encoding_format", "a string", format);
            }
            if (!ENCODING_FORMATS.contains(format.textValue())) {
                throw ApiException.invalid("encoding_format", "invalid_value", "'encoding_format' must be 'float' or "
                        + "'base64', got '" + truncate(format.textValue()) + "'.");
            }
        }
        optionalInt(root, "dimensions", 1, MAX_DIMENSIONS);
        optionalString(root, "user", MAX_SHORT_STRING);
        checkServed(model, RequestKind.EMBEDDING);
        if (!openAiCompatible.test(model)) {
            throw ApiException.invalid("model", "unsupported_endpoint", "The model `" + model + "` (the embedded "
                    + "llama.cpp engine) is not loaded for embeddings; " + RequestKind.EMBEDDING.path()
                    + " is not served for it.");
        }
        return ChatCompletionRequest.of(RequestKind.EMBEDDING, root);
    }

    private static ObjectNode object(byte[] body) {
        JsonNode parsed = JSON.read(body, null, BODY);
        if (!parsed.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        return (ObjectNode) parsed;
    }

    private void checkServed(String model, RequestKind kind) {
        if (!modelServed.test(model)) {
            throw modelNotFound(model);
        }
        if (!endpointServed.test(model, kind)) {
            throw ApiException.invalid("model", "unsupported_endpoint", "The model `" + model + "` is not served on "
                    + kind.path() + ".");
        }
    }

    private static ApiException modelNotFound(String model) {
        return new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "The model `" + model + "` does not exist or you do not have access to it.", null);
    }

    /**
     * A prompt or an embedding's input, in any of OpenAI's four forms: a string, an array of strings, an array of
     * token ids, or an array of arrays of token ids; never empty.
     */
    private static void checkInput(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        String expected = "a string, an array of strings, an array of integers or an array of integer arrays";
        if (value == null || value.isNull()) {
            throw ApiException.invalid(field, "missing_required_parameter", "Missing required parameter: '" + field
                    + "'.");
        }
        if (value.isTextual()) {
            text(value);
            return;
        }
        if (!value.isArray()) {
            throw wrongType(field, expected, value);
        }
        if (value.isEmpty()) {
            throw ApiException.invalid(field, "empty_array", "'" + field + "' must not be an empty array.");
        }
        if (value.size() > MAX_INPUTS) {
            throw ApiException.invalid(field, "'" + field + "' may hold at most " + MAX_INPUTS + " items.");
        }
        JsonNode first = value.get(0);
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String path = field + "[" + i + "]";
            if (first.isTextual() && item.isTextual()) {
                text(item);
            } else if (first.isIntegralNumber() && item.isIntegralNumber()) {
                tokenId(item, path);
            } else if (first.isArray() && item.isArray() && !item.isEmpty()) {
                for (int j = 0; j < item.size(); j++) {
                    tokenId(item.get(j), path + "[" + j + "]");
                }
            } else {
                throw wrongType(path, first.isTextual() ? "a string" : first.isIntegralNumber() ? "an integer"
                        : first.isArray() ? "a non-empty array of integers" : expected, item);
            }
        }
    }

    private static void tokenId(JsonNode item, String path) {
        if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < 0) {
            throw wrongType(path, "a token id (a non-negative integer)", item);
        }
    }

    /**
     * llama.cpp completes one text prompt with sampling parameters; fill-in-the-middle, echo, log probabilities,
     * several choices, token-id prompts and fields it has never heard of are refused before anything is queued.
     */
    private static void checkLlamaCppCanComplete(ObjectNode root, String model) {
        if (root.hasNonNull("suffix")) {
            throw notForModel("suffix", model, "fill-in-the-middle (`suffix`)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!LLAMA_CPP_COMPLETION_FIELDS.contains(field) && !isNeutral(root.get(field))) {
                throw notForModel(field, model, COMPLETION_KNOWN.contains(field) ? "`" + field + "`"
                        : "the unknown field `" + truncate(field) + "`");
            }
        }
        if (root.path("n").asInt(1) != 1) {
            throw notForModel("n", model, "more than one choice (`n`)");
        }
        if (root.path("best_of").asInt(1) != 1) {
            throw notForModel("best_of", model, "`best_of`");
        }
        JsonNode prompt = root.get("prompt");
        if (!prompt.isTextual() && !(prompt.size() == 1 && prompt.get(0).isTextual())) {
            throw notForModel("prompt", model, "a prompt other than one string");
        }
    }

    public ChatCompletionRequest parse(byte[] body) {
        JsonNode parsed = JSON.read(body, null, BODY);
        if (!parsed.isObject()) {
            throw ApiException.invalid(null, "invalid_json", "The request body must be a JSON object.");
        }
        ObjectNode root = (ObjectNode) parsed;

        String model = requiredString(root, "model");
        List<ChatMessage> messages = messages(root.get("messages"));
        Double temperature = optionalNumber(root, "temperature", 0.0, 2.0);
        Double topP = optionalNumber(root, "top_p", 0.0, 1.0);
        Integer maxTokens = maxTokens(root);
        Long seed = optionalLong(root, "seed");
        List<String> stop = stop(root.get("stop"));
        String user = optionalString(root, "user", MAX_SHORT_STRING);
        optionalInt(root, "n", 1, MAX_CHOICES);
        checkStream(root);
        optionalNumber(root, "frequency_penalty", -2.0, 2.0);
        optionalNumber(root, "presence_penalty", -2.0, 2.0);
        checkLogprobs(root);
        checkTools(root);
        checkResponseFormat(root.get("response_format"));
        checkLogitBias(root.get("logit_bias"));
        optionalOfType(root, "metadata", JsonNode::isObject, "an object");
        optionalOfType(root, "store", JsonNode::isBoolean, "a boolean");
        optionalString(root, "service_tier", MAX_SHORT_STRING);
        optionalString(root, "reasoning_effort", MAX_SHORT_STRING);
        optionalOfType(root, "modalities", JsonNode::isArray, "an array");
        optionalOfType(root, "audio", JsonNode::isObject, "an object");
        optionalOfType(root, "prediction", JsonNode::isObject, "an object");
        optionalOfType(root, "web_search_options", JsonNode::isObject, "an object");

        if (!modelServed.test(model)) {
            throw modelNotFound(model);
        }
        if (!openAiCompatible.test(model)) {
            checkLlamaCppCanServe(root, model);
        }
        return new ChatCompletionRequest(model, messages, temperature, topP, maxTokens, seed, stop, user, root);
    }

    /**
     * The text of a message's {@code content} as Spillway reads it: the string, or the text parts joined with
     * newlines; empty when there is none (an assistant turn that only calls tools).
     */
    static String textOf(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText(null)) && part.path("text").isTextual()) {
                if (!joined.isEmpty()) {
                    joined.append('\n');
                }
                joined.append(part.get("text").textValue());
            }
        }
        return joined.toString();
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

    /**
     * llama.cpp decodes text with sampling parameters and, for JSON output, a grammar; tools, log probabilities,
     * several choices, non-text content and fields it has never heard of are refused before anything is queued.
     */
    private static void checkLlamaCppCanServe(ObjectNode root, String model) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!LLAMA_CPP_FIELDS.contains(field) && !isNeutral(root.get(field))) {
                throw notForModel(field, model, KNOWN.contains(field) ? "`" + field + "`" : "the unknown field `"
                        + truncate(field) + "`");
            }
        }
        if (root.path("n").asInt(1) != 1) {
            throw notForModel("n", model, "more than one choice (`n`)");
        }
        if (root.path("tool_choice").isObject() || root.path("tool_choice").isTextual()
                && !"none".equals(root.get("tool_choice").textValue())) {
            throw notForModel("tool_choice", model, "`tool_choice`");
        }
        JsonNode messages = root.get("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String path = "messages[" + i + "]";
            String role = message.get("role").textValue();
            if (role.equals("tool") || role.equals("function") || !isNeutral(message.path("tool_calls"))
                    || message.has("function_call") && !message.get("function_call").isNull()) {
                throw notForModel(path + ".role", model, "tool calling");
            }
            if (message.has("audio") && !message.get("audio").isNull()) {
                throw notForModel(path + ".audio", model, "audio");
            }
            JsonNode content = message.path("content");
            for (int j = 0; j < content.size(); j++) {
                String type = content.get(j).path("type").asText();
                if (!type.equals("text")) {
                    throw new ApiException(400, ApiException.INVALID_REQUEST, "unsupported_content",
                            path + ".content[" + j + "].type", "Only text content parts are supported by the model `"
                                    + model + "` (the embedded llama.cpp engine), not `" + truncate(type) + "`.", null);
                }
            }
        }
    }

    private static ApiException notForModel(String param, String model, String what) {
        return ApiException.invalid(param, "unsupported_parameter", what + " is not supported by the model `" + model
                + "` (the embedded llama.cpp engine serves it).");
    }

    /** A field that asks for nothing: null, false, an empty list or object, or {"type":"text"}. */
    private static boolean isNeutral(JsonNode value) {
        return value == null || value.isMissingNode() || value.isNull()
                || (value.isBoolean() && !value.booleanValue())
                || (value.isContainerNode() && value.isEmpty())
                || (value.isObject() && value.size() == 1 && "text".equals(value.path("type").asText(null)))
                || (value.isArray() && value.size() == 1 && "text".equals(value.get(0).asText(null)));
    }

    private static void checkStream(ObjectNode root) {
        JsonNode stream = root.get("stream");
        boolean streaming = false;
        if (stream != null && !stream.isNull()) {
            if (!stream.isBoolean()) {
                throw wrongType("stream", "a boolean", stream);
            }
            streaming = stream.booleanValue();
        }
        JsonNode options = root.get("stream_options");
        if (options == null || options.isNull()) {
            return;
        }
        if (!options.isObject()) {
            throw wrongType("stream_options", "an object", options);
        }
        if (!streaming) {
            throw ApiException.invalid("stream_options",
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        optionalOfType(options, "include_usage", JsonNode::isBoolean, "a boolean", "stream_options.include_usage");
    }

    private static void checkLogprobs(ObjectNode root) {
        optionalOfType(root, "logprobs", JsonNode::isBoolean, "a boolean");
        Integer top = optionalInt(root, "top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (top != null && !root.path("logprobs").asBoolean(false)) {
            throw ApiException.invalid("top_logprobs", "'logprobs' must be set to true if 'top_logprobs' is used.");
        }
    }

    private static void checkTools(ObjectNode root) {
        JsonNode tools = root.get("tools");
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray()) {
                throw wrongType("tools", "an array", tools);
            }
            if (tools.size() > MAX_TOOLS) {
                throw ApiException.invalid("tools", "'tools' may hold at most " + MAX_TOOLS + " tools.");
            }
            for (int i = 0; i < tools.size(); i++) {
                checkTool(tools.get(i), "tools[" + i + "]");
            }
        }
        JsonNode choice = root.get("tool_choice");
        if (choice != null && !choice.isNull()) {
            if (choice.isTextual()) {
                if (!TOOL_CHOICES.contains(choice.textValue())) {
                    throw ApiException.invalid("tool_choice", "Invalid value for 'tool_choice': '"
                            + truncate(choice.textValue()) + "'. Supported values are: 'none', 'auto' and 'required'.");
                }
            } else if (!choice.isObject() || !choice.path("type").isTextual()) {
                throw wrongType("tool_choice", "a string or an object with a type", choice);
            }
        }
        optionalOfType(root, "parallel_tool_calls", JsonNode::isBoolean, "a boolean");
        JsonNode functions = root.get("functions");
        if (functions != null && !functions.isNull()) {
            if (!functions.isArray()) {
                throw wrongType("functions", "an array", functions);
            }
            for (int i = 0; i < functions.size(); i++) {
                checkFunction(functions.get(i), "functions[" + i + "]");
            }
        }
        JsonNode functionCall = root.get("function_call");
        if (functionCall != null && !functionCall.isNull() && !functionCall.isTextual() && !functionCall.isObject()) {
            throw wrongType("function_call", "a string or an object", functionCall);
        }
    }

    private static void checkTool(JsonNode tool, String path) {
        if (!tool.isObject()) {
            throw wrongType(path, "an object", tool);
        }
        JsonNode type = tool.get("type");
        if (type == null || !type.isTextual()) {
            throw type == null || type.isNull()
                    ? ApiException.invalid(path + ".type", "missing_required_parameter",
                            "Missing required parameter: '" + path + ".type'.")
                    : wrongType(path + ".type", "a string", type);
        }
        if (type.textValue().equals("function")) {
            checkFunction(tool.get("function"), path + ".function");
        }
    }

    private static void checkFunction(JsonNode function, String path) {
        if (function == null || function.isNull()) {
            throw ApiException.invalid(path, "missing_required_parameter", "Missing required parameter: '" + path
                    + "'.");
        }
        if (!function.isObject()) {
            throw wrongType(path, "an object", function);
        }
        JsonNode name = function.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank() || name.textValue().length() > 64) {
            throw ApiException.invalid(path + ".name", "'" + path + ".name' must be a non-empty string of at most 64 "
                    + "characters.");
        }
        optionalOfType(function, "parameters", JsonNode::isObject, "an object", path + ".parameters");
        optionalOfType(function, "description", JsonNode::isTextual, "a string", path + ".description");
    }

    private static void checkResponseFormat(JsonNode format) {
        if (format == null || format.isNull()) {
            return;
        }
        if (!format.isObject()) {
            throw wrongType("response_format", "an object", format);
        }
        JsonNode type = format.get("type");
        if (type == null || type.isNull()) {
            throw ApiException.invalid("response_format.type", "missing_required_parameter",
                    "Missing required parameter: 'response_format.type'.");
        }
        if (!type.isTextual()) {
            throw wrongType("response_format.type", "a string", type);
        }
        if (!RESPONSE_FORMATS.contains(type.textValue())) {
            throw ApiException.invalid("response_format.type", "Invalid value for 'response_format.type': '"
                    + truncate(type.textValue()) + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        }
        if (type.textValue().equals("json_schema")) {
            JsonNode schema = format.get("json_schema");
            if (schema == null || schema.isNull()) {
                throw ApiException.invalid("response_format.json_schema", "missing_required_parameter",
                        "Missing required parameter: 'response_format.json_schema'.");
            }
            if (!schema.isObject()) {
                throw wrongType("response_format.json_schema", "an object", schema);
            }
            JsonNode name = schema.get("name");
            if (name == null || !name.isTextual() || name.textValue().isBlank() || name.textValue().length() > 64) {
                throw ApiException.invalid("response_format.json_schema.name",
                        "'response_format.json_schema.name' must be a non-empty string of at most 64 characters.");
            }
            optionalOfType(schema, "schema", JsonNode::isObject, "an object", "response_format.json_schema.schema");
            optionalOfType(schema, "strict", JsonNode::isBoolean, "a boolean", "response_format.json_schema.strict");
        }
    }

    private static void checkLogitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) {
            return;
        }
        if (!bias.isObject()) {
            throw wrongType("logit_bias", "an object", bias);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String param = "logit_bias." + truncate(entry.getKey());
            if (!entry.getValue().isNumber()) {
                throw wrongType(param, "a number", entry.getValue());
            }
            double value = entry.getValue().doubleValue();
            if (!(value >= -100 && value <= 100)) {
                throw ApiException.invalid(param, "'" + param + "' must be between -100 and 100.");
            }
        }
    }

    private static void optionalOfType(JsonNode root, String field, Predicate<JsonNode> type, String expected) {
        optionalOfType(root, field, type, expected, field);
    }

    private static void optionalOfType(JsonNode root, String field, Predicate<JsonNode> type, String expected,
            String param) {
        JsonNode value = root.get(field);
        if (value != null && !value.isNull() && !type.test(value)) {
            throw wrongType(param, expected, value);
        }
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
            if (!MESSAGE_FIELDS.contains(field)) {
                throw ApiException.invalid(path + "." + field, "unknown_parameter",
                        "Unrecognized message field: " + truncate(field) + ".");
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
                    + truncate(role.textValue()) + "'. Supported values are: 'system', 'developer', 'user', "
                    + "'assistant', 'tool' and 'function'.");
        }
        boolean assistant = role.textValue().equals("assistant");
        String content = content(node.get("content"), path + ".content", assistant);
        JsonNode name = node.get("name");
        if (name != null && !name.isNull() && (!name.isTextual() || name.textValue().length() > 64)) {
            throw ApiException.invalid(path + ".name", "'" + path + ".name' must be a string of at most 64 characters.");
        }
        JsonNode toolCalls = node.get("tool_calls");
        if (toolCalls != null && !toolCalls.isNull()) {
            if (!assistant) {
                throw ApiException.invalid(path + ".tool_calls", "Only assistant messages may carry 'tool_calls'.");
            }
            if (!toolCalls.isArray()) {
                throw wrongType(path + ".tool_calls", "an array", toolCalls);
            }
            for (int i = 0; i < toolCalls.size(); i++) {
                JsonNode call = toolCalls.get(i);
                String callPath = path + ".tool_calls[" + i + "]";
                if (!call.isObject()) {
                    throw wrongType(callPath, "an object", call);
                }
                optionalOfType(call, "id", JsonNode::isTextual, "a string", callPath + ".id");
                optionalOfType(call, "type", JsonNode::isTextual, "a string", callPath + ".type");
                JsonNode function = call.get("function");
                if (function != null && !function.isNull()) {
                    checkFunction(function, callPath + ".function");
                    optionalOfType(function, "arguments", JsonNode::isTextual, "a string",
                            callPath + ".function.arguments");
                }
            }
        }
        JsonNode toolCallId = node.get("tool_call_id");
        if (role.textValue().equals("tool") && (toolCallId == null || toolCallId.isNull())) {
            throw ApiException.invalid(path + ".tool_call_id", "missing_required_parameter",
                    "Missing required parameter: '" + path + ".tool_call_id'.");
        }
        optionalOfType(node, "tool_call_id", JsonNode::isTextual, "a string", path + ".tool_call_id");
        optionalOfType(node, "function_call", JsonNode::isObject, "an object", path + ".function_call");
        optionalOfType(node, "refusal", JsonNode::isTextual, "a string", path + ".refusal");
        optionalOfType(node, "reasoning_content", JsonNode::isTextual, "a string", path + ".reasoning_content");
        optionalOfType(node, "prefix", JsonNode::isBoolean, "a boolean", path + ".prefix");
        optionalOfType(node, "audio", JsonNode::isObject, "an object", path + ".audio");
        return new ChatMessage(role.textValue(), content, name == null || name.isNull() ? null : name.textValue());
    }

    /**
     * A string, or an array of content parts whose text parts are joined with newlines. An assistant turn may have
     * none (it called tools).
     */
    private static String content(JsonNode value, String path, boolean optional) {
        if (value == null || value.isNull()) {
            if (optional) {
                return "";
            }
            throw ApiException.invalid(path, "missing_required_parameter", "Missing required parameter: '" + path + "'.");
        }
        if (value.isTextual()) {
            return text(value);
        }
        if (!value.isArray() || value.isEmpty()) {
            throw wrongType(path, "a string or a non-empty array of content parts", value);
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode part = value.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject()) {
                throw wrongType(partPath, "an object", part);
            }
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual() || !CONTENT_PART_TYPES.contains(type.textValue())) {
                throw ApiException.invalid(partPath + ".type", "unsupported_content", "Content parts are of type "
                        + "'text', 'image_url', 'input_audio', 'file' or 'refusal'.");
            }
            if (type.textValue().equals("text")) {
                JsonNode partText = part.get("text");
                if (partText == null || !partText.isTextual()) {
                    throw wrongType(partPath + ".text", "a string", partText);
                }
                text(partText);
            }
        }
        return textOf(value);
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

    private static Integer optionalInt(JsonNode root, String field, int min, int max) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(field, "an integer", value);
        }
        int number = value.intValue();
        if (number < min || number > max) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + min + " and " + max + ", got "
                    + number + ".");
        }
        return number;
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
