package dev.spillway.core.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A validated OpenAI chat-completions request: the client's JSON as it came ({@link #body()}: every field, unknown
 * ones included, is what a job carries to the worker and what an OpenAI-compatible engine receives), beside a typed
 * view of what Spillway itself reads (model, messages for the token estimate and llama.cpp's prompt, sampling
 * parameters). {@code max_completion_tokens} is folded into {@link #maxTokens()} and message text parts are joined;
 * the body keeps them as sent.
 *
 * <p>It is stored and read back as the body alone, so a job stored before the body was kept (the typed fields in
 * OpenAI's own field names) reads back as the equivalent request.
 *
 * <p>The same type carries the other endpoints' requests ({@link #kind()}: {@code /v1/completions},
 * {@code /v1/embeddings}): every lane treats a request as a body to pass on plus the few fields it reads, whatever the
 * endpoint. For those the typed view reads {@code prompt} or {@code input} as one user message (the token estimate),
 * and the stored form is an envelope {@code {"endpoint": path, "body": body}}, so a stored chat request (every job
 * stored before other endpoints existed) is still the bare body.
 */
@RegisterForReflection
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Long seed,
        List<String> stop,
        String user,
        ObjectNode body,
        RequestKind kind) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENVELOPE_ENDPOINT = "endpoint";
    private static final String ENVELOPE_BODY = "body";

    public ChatCompletionRequest {
        messages = messages == null ? List.of() : List.copyOf(messages);
        stop = stop == null || stop.isEmpty() ? null : List.copyOf(stop);
        kind = kind == null ? RequestKind.CHAT : kind;
    }

    /** A chat-completions request. */
    public ChatCompletionRequest(String model, List<ChatMessage> messages, Double temperature, Double topP,
            Integer maxTokens, Long seed, List<String> stop, String user, ObjectNode body) {
        this(model, messages, temperature, topP, maxTokens, seed, stop, user, body, RequestKind.CHAT);
    }

    /** A request made of the typed fields alone, as Spillway's own callers (tests, benchmarks) build one. */
    public ChatCompletionRequest(String model, List<ChatMessage> messages, Double temperature, Double topP,
            Integer maxTokens, Long seed, List<String> stop, String user) {
        this(model, messages, temperature, topP, maxTokens, seed, stop, user,
                bodyOf(new Typed(model, messages, temperature, topP, maxTokens, seed, stop, user)));
    }

    /**
     * The typed view of a body that already passed {@link ChatRequestParser} (now or when it was stored), read
     * without checking again: a stored job stays readable when limits or served models change.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ChatCompletionRequest of(ObjectNode body) {
        if (body.size() == 2 && body.path(ENVELOPE_ENDPOINT).isTextual() && body.path(ENVELOPE_BODY).isObject()) {
            RequestKind kind = RequestKind.ofPath(body.get(ENVELOPE_ENDPOINT).textValue())
                    .orElseThrow(() -> new IllegalArgumentException("unknown endpoint " + body.get(ENVELOPE_ENDPOINT)));
            return of(kind, (ObjectNode) body.get(ENVELOPE_BODY));
        }
        return of(RequestKind.CHAT, body);
    }

    /** Like {@link #of(ObjectNode)}, for a body sent to the endpoint of {@code kind}. */
    public static ChatCompletionRequest of(RequestKind kind, ObjectNode body) {
        if (kind != RequestKind.CHAT) {
            String input = textOf(body.path(kind == RequestKind.EMBEDDING ? "input" : "prompt"));
            return new ChatCompletionRequest(body.path("model").asText(null), List.of(new ChatMessage("user", input,
                    null)), number(body, "temperature"), number(body, "top_p"),
                    body.path("max_tokens").isIntegralNumber() ? body.get("max_tokens").intValue() : null,
                    body.path("seed").isIntegralNumber() ? body.get("seed").longValue() : null, stopOf(body),
                    body.path("user").isTextual() ? body.get("user").textValue() : null, body, kind);
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            messages.add(new ChatMessage(message.path("role").asText(null), ChatRequestParser.textOf(message.get("content")),
                    message.path("name").isTextual() ? message.get("name").textValue() : null));
        }
        JsonNode maxTokens = body.path("max_completion_tokens").isIntegralNumber() ? body.get("max_completion_tokens")
                : body.path("max_tokens");
        return new ChatCompletionRequest(body.path("model").asText(null), messages, number(body, "temperature"),
                number(body, "top_p"), maxTokens.isIntegralNumber() ? maxTokens.intValue() : null,
                body.path("seed").isIntegralNumber() ? body.get("seed").longValue() : null, stopOf(body),
                body.path("user").isTextual() ? body.get("user").textValue() : null, body);
    }

    /** The strings of a {@code prompt} or {@code input} (one, or a list), joined; token lists have no text. */
    private static String textOf(JsonNode input) {
        if (input.isTextual()) {
            return input.textValue();
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode item : input) {
            if (item.isTextual()) {
                joined.append(joined.isEmpty() ? "" : "\n").append(item.textValue());
            }
        }
        return joined.toString();
    }

    /**
     * What the input may cost in tokens: about four characters a token for text, and token lists (a
     * {@code prompt} or {@code input} given as token ids) counted as they are.
     */
    @JsonIgnore
    public long estimatedInputTokens() {
        long characters = messages.stream().mapToLong(m -> m.content().length()).sum();
        if (kind == RequestKind.CHAT) {
            return characters / 4;
        }
        long tokens = 0;
        for (JsonNode item : body.path(kind == RequestKind.EMBEDDING ? "input" : "prompt")) {
            tokens += item.isNumber() ? 1 : item.isArray() ? item.size() : 0;
        }
        return characters / 4 + tokens;
    }

    private static List<String> stopOf(ObjectNode body) {
        List<String> stop = new ArrayList<>();
        JsonNode stopNode = body.path("stop");
        if (stopNode.isTextual()) {
            stop.add(stopNode.textValue());
        }
        stopNode.forEach(sequence -> stop.add(sequence.asText()));
        stop.removeIf(String::isEmpty);
        return stop;
    }

    /** The body as the client sent it, without the endpoint. */
    @JsonIgnore
    @Override
    public ObjectNode body() {
        return body;
    }

    /**
     * What is stored for a job: a chat request's body as the client sent it, another endpoint's in an envelope that
     * names the endpoint.
     */
    @JsonValue
    public ObjectNode stored() {
        if (kind == RequestKind.CHAT) {
            return body;
        }
        ObjectNode envelope = JSON.createObjectNode().put(ENVELOPE_ENDPOINT, kind.path());
        envelope.set(ENVELOPE_BODY, body);
        return envelope;
    }

    /**
     * Greedy decoding, or sampling pinned by a seed: the same request yields the same answer. An embedding has no
     * sampling at all: the same input gives the same vector.
     */
    @JsonIgnore
    public boolean isDeterministic() {
        return kind == RequestKind.EMBEDDING || (temperature != null && temperature == 0.0) || seed != null;
    }

    /** A text completion's {@code prompt} when it is one string (or a list of one), else null. */
    @JsonIgnore
    public String prompt() {
        JsonNode prompt = body.path("prompt");
        if (prompt.isArray() && prompt.size() == 1) {
            prompt = prompt.get(0);
        }
        return prompt.isTextual() ? prompt.textValue() : null;
    }

    /** The client asked for server-sent events. */
    @JsonIgnore
    public boolean stream() {
        return kind != RequestKind.EMBEDDING && body.path("stream").asBoolean(false);
    }

    /** A streamed answer ends with a chunk carrying the usage ({@code stream_options.include_usage}). */
    @JsonIgnore
    public boolean includeUsage() {
        return body.path("stream_options").path("include_usage").asBoolean(false);
    }

    /** {@code response_format}, or a missing node. */
    @JsonIgnore
    public JsonNode responseFormat() {
        return body.path("response_format");
    }

    /** Requests are equal when their bodies say the same: a stored one's numbers may come back as other node types. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ChatCompletionRequest request && request.model().equals(model)
                && request.kind() == kind && request.body().toString().equals(body.toString());
    }

    @Override
    public int hashCode() {
        return body.toString().hashCode();
    }

    private static Double number(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isNumber() ? value.doubleValue() : null;
    }

    /** Read back from its text, so its numbers are the node types a parsed body has. */
    private static ObjectNode bodyOf(Typed typed) {
        try {
            return (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(typed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields Spillway knew before bodies were kept; also the shape of jobs stored then. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Typed(String model, List<ChatMessage> messages, Double temperature,
            @JsonProperty("top_p") Double topP, @JsonProperty("max_tokens") Integer maxTokens, Long seed,
            List<String> stop, String user) {
    }
}
