package dev.spillway.core.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.Sha256;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.RequestKind;

/**
 * Cache keys: SHA-256 over the tenant and the canonical form (object fields sorted, at every depth) of the request
 * body (numbers by value), so every field that can change the answer is in the key, unknown ones included. Left out are only the fields
 * that cannot: {@code user} and {@code metadata} label the caller, {@code store} asks the upstream to keep a copy,
 * and {@code stream} / {@code stream_options} choose how the same completion is delivered (a cached answer is
 * replayed either way). The endpoint is in the key too (a chat request's key is as it was before other endpoints
 * existed): a text completion and an embedding of the same text are different answers.
 */
public final class CacheKeys {

    /** Fields that do not change the completion; see the class comment. */
    static final Set<String> IGNORED = Set.of("user", "metadata", "store", "stream", "stream_options");

    private static final ObjectMapper CANONICAL = new ObjectMapper();

    private CacheKeys() {
    }

    public static String of(String tenant, ChatCompletionRequest request) {
        ObjectNode canonical = CANONICAL.createObjectNode();
        canonical.put("tenant", tenant);
        if (request.kind() != RequestKind.CHAT) {
            canonical.put("endpoint", request.kind().path());
        }
        ObjectNode body = CANONICAL.createObjectNode();
        request.body().fields().forEachRemaining(field -> {
            if (!IGNORED.contains(field.getKey())) {
                body.set(field.getKey(), field.getValue());
            }
        });
        canonical.set("request", sorted(body));
        try {
            return Sha256.hex(CANONICAL.writeValueAsString(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode sorted = CANONICAL.createObjectNode();
            names.forEach(name -> sorted.set(name, sorted(node.get(name))));
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode sorted = CANONICAL.createArrayNode();
            node.forEach(element -> sorted.add(sorted(element)));
            return sorted;
        }
        if (node.isNumber()) {
            // 0, 0.0 and 0e0 ask for the same thing
            return CANONICAL.getNodeFactory().numberNode(node.decimalValue().stripTrailingZeros());
        }
        return node;
    }
}
