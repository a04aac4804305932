package dev.spillway.core.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A whole completion told as OpenAI's {@code chat.completion.chunk} objects, for a client that asked to stream an
 * answer Spillway already holds (a cache hit, a finished job). Each choice's message goes out in one delta (tool calls
 * numbered by {@code index}, every other field as it is), then a chunk with its {@code finish_reason}; the usage comes
 * last, in a chunk without choices, when the client asked for it ({@code stream_options.include_usage}). Top-level
 * fields other than the choices and usage ({@code id}, {@code system_fingerprint}, fields Spillway does not know) are
 * in every chunk, as OpenAI does.
 */
public final class CompletionChunks {

    public static final String OBJECT = "chat.completion.chunk";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CompletionChunks() {
    }

    public static List<ObjectNode> of(ChatCompletion completion, boolean includeUsage) {
        ObjectNode json = completion.json();
        if (ChatCompletion.TEXT_OBJECT.equals(completion.object())) {
            return ofText(json, includeUsage);
        }
        List<ObjectNode> chunks = new ArrayList<>();
        for (JsonNode choice : json.path("choices")) {
            ObjectNode delta = choice.path("message").isObject() ? ((ObjectNode) choice.get("message")).deepCopy()
                    : NODES.objectNode();
            JsonNode toolCalls = delta.get("tool_calls");
            if (toolCalls != null && toolCalls.isArray()) {
                for (int i = 0; i < toolCalls.size(); i++) {
                    if (toolCalls.get(i).isObject() && !toolCalls.get(i).has("index")) {
                        ObjectNode numbered = NODES.objectNode().put("index", i);
                        numbered.setAll((ObjectNode) toolCalls.get(i));
                        ((ArrayNode) toolCalls).set(i, numbered);
                    }
                }
            }
            ObjectNode opening = chunk(json);
            ObjectNode first = opening.putArray("choices").addObject();
            first.set("index", choice.path("index").isMissingNode() ? NODES.numberNode(0) : choice.get("index"));
            first.set("delta", delta);
            first.set("logprobs", choice.path("logprobs").isMissingNode() ? NODES.nullNode() : choice.get("logprobs"));
            first.putNull("finish_reason");
            chunks.add(opening);

            ObjectNode closing = chunk(json);
            ObjectNode last = closing.putArray("choices").addObject();
            last.set("index", first.get("index"));
            last.putObject("delta");
            last.putNull("logprobs");
            last.set("finish_reason", choice.path("finish_reason").isMissingNode() ? NODES.nullNode()
                    : choice.get("finish_reason"));
            chunks.add(closing);
        }
        if (includeUsage && json.has("usage")) {
            ObjectNode usage = chunk(json);
            usage.putArray("choices");
            usage.set("usage", json.get("usage"));
            chunks.add(usage);
        }
        return chunks;
    }

    /**
     * A {@code text_completion} as OpenAI streams one: chunks are {@code text_completion} objects too, each choice's
     * text in one chunk (every other field of the choice kept, {@code finish_reason} null), then one closing chunk
     * per choice with empty text and the finish reason; the usage last when asked for.
     */
    private static List<ObjectNode> ofText(ObjectNode json, boolean includeUsage) {
        List<ObjectNode> chunks = new ArrayList<>();
        for (JsonNode choice : json.path("choices")) {
            ObjectNode opening = textChunk(json);
            ObjectNode first = choice.isObject() ? ((ObjectNode) choice).deepCopy() : NODES.objectNode();
            if (!first.has("index")) {
                first.put("index", 0);
            }
            first.putNull("finish_reason");
            opening.putArray("choices").add(first);
            chunks.add(opening);

            ObjectNode closing = textChunk(json);
            closing.putArray("choices").addObject().put("text", "").set("index", first.get("index"));
            ObjectNode last = (ObjectNode) closing.get("choices").get(0);
            last.putNull("logprobs");
            last.set("finish_reason", choice.path("finish_reason").isMissingNode() ? NODES.nullNode()
                    : choice.get("finish_reason"));
            chunks.add(closing);
        }
        if (includeUsage && json.has("usage")) {
            ObjectNode usage = textChunk(json);
            usage.putArray("choices");
            usage.set("usage", json.get("usage"));
            chunks.add(usage);
        }
        return chunks;
    }

    private static ObjectNode textChunk(ObjectNode completion) {
        ObjectNode chunk = NODES.objectNode();
        completion.properties().forEach(field -> {
            if (!field.getKey().equals("choices") && !field.getKey().equals("usage")) {
                chunk.set(field.getKey(), field.getValue());
            }
        });
        return chunk;
    }

    private static ObjectNode chunk(ObjectNode completion) {
        ObjectNode chunk = NODES.objectNode();
        for (Map.Entry<String, JsonNode> field : completion.properties()) {
            switch (field.getKey()) {
                case "choices", "usage" -> {
                }
                case "object" -> chunk.put("object", OBJECT);
                default -> chunk.set(field.getKey(), field.getValue());
            }
        }
        if (!chunk.has("object")) {
            chunk.put("object", OBJECT);
        }
        return chunk;
    }
}
