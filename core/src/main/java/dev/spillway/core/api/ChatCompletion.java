package dev.spillway.core.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An OpenAI {@code chat.completion} object (or the answer of another endpoint a {@link RequestKind} names: a
 * {@code text_completion}, an embeddings {@code list}) kept as the JSON the engine or upstream gave: every field it sent
 * (DeepSeek's {@code reasoning_content}, {@code system_fingerprint}, {@code usage.prompt_cache_hit_tokens}, tool calls,
 * logprobs...) reaches the client, the cache and the job store unchanged. The accessors read the few parts Spillway
 * itself needs (token usage for accounting, the first choice for logs and tests).
 */
@RegisterForReflection
public final class ChatCompletion {

    public static final String OBJECT = "chat.completion";
    public static final String TEXT_OBJECT = "text_completion";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode json;

    private ChatCompletion(ObjectNode json) {
        this.json = json;
    }

    /** A completion as received; Jackson reads stored completions (jobs, cache entries) through here. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ChatCompletion of(ObjectNode json) {
        return new ChatCompletion(json.deepCopy());
    }

    /** A completion from an answer's bytes, which must be a JSON object. */
    public static ChatCompletion parse(byte[] json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("a completion is a JSON object");
            }
            return new ChatCompletion((ObjectNode) root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A single-choice text completion, as Spillway's own engines produce it. */
    public static ChatCompletion of(String id, long created, String model, String content, String finishReason,
            Usage usage) {
        ObjectNode json = JSON.createObjectNode().put("id", id).put("object", OBJECT).put("created", created)
                .put("model", model);
        ObjectNode choice = json.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", finishReason);
        if (usage != null) {
            json.set("usage", JSON.valueToTree(usage));
        }
        return new ChatCompletion(json);
    }

    /** A single-choice {@code text_completion} (the answer of {@code /v1/completions}), as Spillway's engines produce it. */
    public static ChatCompletion ofText(String id, long created, String model, String text, String finishReason,
            Usage usage) {
        ObjectNode json = JSON.createObjectNode().put("id", id).put("object", TEXT_OBJECT).put("created", created)
                .put("model", model);
        json.putArray("choices").addObject().put("text", text).put("index", 0).putNull("logprobs")
                .put("finish_reason", finishReason);
        if (usage != null) {
            json.set("usage", JSON.valueToTree(usage));
        }
        return new ChatCompletion(json);
    }

    /** The whole completion; callers must not change it. */
    @JsonValue
    public ObjectNode json() {
        return json;
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String id() {
        return json.path("id").asText(null);
    }

    public String object() {
        return json.path("object").asText(null);
    }

    public String model() {
        return json.path("model").asText(null);
    }

    /** Token accounting, or null when the answer carried none. */
    public Usage usage() {
        JsonNode usage = json.get("usage");
        if (usage == null || !usage.isObject()) {
            return null;
        }
        int prompt = usage.path("prompt_tokens").asInt(0);
        int completion = usage.path("completion_tokens").asInt(0);
        return new Usage(prompt, completion, usage.path("total_tokens").asInt(prompt + completion));
    }

    /** The choices, reduced to their text (a text completion's {@code text}); the JSON keeps everything else. */
    public List<Choice> choices() {
        List<Choice> choices = new ArrayList<>();
        for (JsonNode choice : json.path("choices")) {
            JsonNode message = choice.path("message");
            String text = message.isObject() ? message.path("content").asText("") : choice.path("text").asText("");
            choices.add(new Choice(choice.path("index").asInt(choices.size()),
                    new ChatMessage(message.path("role").asText("assistant"), text,
                            message.path("name").asText(null)),
                    choice.path("finish_reason").asText(null)));
        }
        return choices;
    }

    /** Equal when the JSON says the same: a stored completion's numbers may come back as other node types. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ChatCompletion completion && completion.json.toString().equals(json.toString());
    }

    @Override
    public int hashCode() {
        return json.toString().hashCode();
    }

    @Override
    public String toString() {
        return json.toString();
    }

    public record Choice(int index, ChatMessage message, String finishReason) {
    }
}
