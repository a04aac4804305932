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
        ObjectNode body) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ChatCompletionRequest {
        messages = messages == null ? List.of() : List.copyOf(messages);
        stop = stop == null || stop.isEmpty() ? null : List.copyOf(stop);
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
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            messages.add(new ChatMessage(message.path("role").asText(null), ChatRequestParser.textOf(message.get("content")),
                    message.path("name").isTextual() ? message.get("name").textValue() : null));
        }
        JsonNode maxTokens = body.path("max_completion_tokens").isIntegralNumber() ? body.get("max_completion_tokens")
                : body.path("max_tokens");
        List<String> stop = new ArrayList<>();
        JsonNode stopNode = body.path("stop");
        if (stopNode.isTextual()) {
            stop.add(stopNode.textValue());
        }
        stopNode.forEach(sequence -> stop.add(sequence.asText()));
        stop.removeIf(String::isEmpty);
        return new ChatCompletionRequest(body.path("model").asText(null), messages, number(body, "temperature"),
                number(body, "top_p"), maxTokens.isIntegralNumber() ? maxTokens.intValue() : null,
                body.path("seed").isIntegralNumber() ? body.get("seed").longValue() : null, stop,
                body.path("user").isTextual() ? body.get("user").textValue() : null, body);
    }

    /** What is stored for a job: the body as the client sent it. */
    @JsonValue
    @Override
    public ObjectNode body() {
        return body;
    }

    /** Greedy decoding, or sampling pinned by a seed: the same request yields the same answer. */
    @JsonIgnore
    public boolean isDeterministic() {
        return (temperature != null && temperature == 0.0) || seed != null;
    }

    /** The client asked for server-sent events. */
    @JsonIgnore
    public boolean stream() {
        return body.path("stream").asBoolean(false);
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
                && request.body().toString().equals(body.toString());
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
