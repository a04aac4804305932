package dev.spillway.core.api;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Puts a streamed answer's {@code chat.completion.chunk} objects back together into the {@code chat.completion} a
 * non-streamed call would have given, so a streamed direct answer can be cached: text fields of the deltas
 * ({@code content}, {@code reasoning_content}, {@code refusal}) and tool calls' arguments are concatenated, tool calls
 * are merged by {@code index}, logprobs lists are joined, any other delta field keeps its last value. Not safe for
 * concurrent use.
 */
public final class ChunkAssembler {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ObjectNode top;
    private final Map<Integer, ObjectNode> choices = new TreeMap<>();
    private JsonNode usage;
    /** The chunks are a {@code text_completion}'s, whose choices carry {@code text} rather than a delta. */
    private boolean text;

    public void add(ObjectNode chunk) {
        if (top == null) {
            text = ChatCompletion.TEXT_OBJECT.equals(chunk.path("object").asText(null));
            top = NODES.objectNode();
            chunk.properties().forEach(field -> {
                if (!field.getKey().equals("choices") && !field.getKey().equals("usage")) {
                    top.set(field.getKey(), field.getValue());
                }
            });
            top.put("object", text ? ChatCompletion.TEXT_OBJECT : ChatCompletion.OBJECT);
        }
        if (chunk.path("usage").isObject()) {
            usage = chunk.get("usage");
        }
        if (text) {
            addText(chunk);
            return;
        }
        for (JsonNode choice : chunk.path("choices")) {
            int index = choice.path("index").asInt(0);
            ObjectNode assembled = choices.computeIfAbsent(index, i -> {
                ObjectNode fresh = NODES.objectNode().put("index", i);
                fresh.putObject("message");
                fresh.putNull("logprobs");
                fresh.putNull("finish_reason");
                return fresh;
            });
            merge((ObjectNode) assembled.get("message"), choice.path("delta"));
            if (choice.path("logprobs").isObject()) {
                if (!assembled.get("logprobs").isObject()) {
                    assembled.set("logprobs", NODES.objectNode());
                }
                appendLists((ObjectNode) assembled.get("logprobs"), choice.get("logprobs"));
            }
            if (choice.hasNonNull("finish_reason")) {
                assembled.set("finish_reason", choice.get("finish_reason"));
            }
        }
    }

    private void addText(ObjectNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            int index = choice.path("index").asInt(0);
            ObjectNode assembled = choices.computeIfAbsent(index, i -> {
                ObjectNode fresh = NODES.objectNode().put("text", "").put("index", i);
                fresh.putNull("logprobs");
                fresh.putNull("finish_reason");
                return fresh;
            });
            choice.properties().forEach(field -> {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (name.equals("text") && value.isTextual()) {
                    assembled.put("text", assembled.get("text").textValue() + value.textValue());
                } else if (name.equals("logprobs") && value.isObject()) {
                    if (!assembled.get("logprobs").isObject()) {
                        assembled.set("logprobs", NODES.objectNode());
                    }
                    appendLists((ObjectNode) assembled.get("logprobs"), value);
                } else if (!name.equals("index") && (!value.isNull() || !assembled.has(name))) {
                    assembled.set(name, value);
                }
            });
        }
    }

    /** The completion, when every choice ended (a stream cut short gives none). */
    public Optional<ChatCompletion> completion() {
        if (top == null || choices.isEmpty() || choices.values().stream().anyMatch(c -> c.get("finish_reason").isNull())) {
            return Optional.empty();
        }
        ObjectNode completion = top.deepCopy();
        ArrayNode list = completion.putArray("choices");
        choices.values().forEach(choice -> {
            if (text) {
                list.add(choice);
                return;
            }
            ObjectNode message = (ObjectNode) choice.get("message");
            if (!message.has("role")) {
                message.put("role", "assistant");
            }
            if (!message.has("content")) {
                message.putNull("content");
            }
            list.add(choice);
        });
        if (usage != null) {
            completion.set("usage", usage);
        }
        return Optional.of(ChatCompletion.of(completion));
    }

    private static void merge(ObjectNode message, JsonNode delta) {
        delta.properties().forEach(field -> {
            String name = field.getKey();
            JsonNode value = field.getValue();
            JsonNode current = message.get(name);
            if (name.equals("tool_calls") && value.isArray()) {
                ArrayNode calls = current != null && current.isArray() ? (ArrayNode) current : message.putArray(name);
                value.forEach(call -> mergeToolCall(calls, call));
            } else if (value.isTextual() && current != null && current.isTextual()) {
                message.put(name, current.textValue() + value.textValue());
            } else if (!value.isNull() || current == null) {
                message.set(name, value);
            }
        });
    }

    private static void mergeToolCall(ArrayNode calls, JsonNode delta) {
        int index = delta.path("index").asInt(calls.size());
        while (calls.size() <= index) {
            calls.addObject();
        }
        ObjectNode call = (ObjectNode) calls.get(index);
        delta.properties().forEach(field -> {
            if (field.getKey().equals("index")) {
                return;
            }
            if (field.getKey().equals("function") && field.getValue().isObject()) {
                ObjectNode function = call.path("function").isObject() ? (ObjectNode) call.get("function")
                        : call.putObject("function");
                merge(function, field.getValue());
            } else {
                call.set(field.getKey(), field.getValue());
            }
        });
    }

    private static void appendLists(ObjectNode target, JsonNode more) {
        more.properties().forEach(field -> {
            JsonNode current = target.get(field.getKey());
            if (field.getValue().isArray() && current != null && current.isArray()) {
                ((ArrayNode) current).addAll((ArrayNode) field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        });
    }
}
