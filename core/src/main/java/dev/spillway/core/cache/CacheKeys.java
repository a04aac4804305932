package dev.spillway.core.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.Sha256;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;

/**
 * Cache keys: SHA-256 over the tenant and the canonical form of everything in a request that changes its
 * answer (model, messages, sampling parameters). {@code user} is left out: it labels the caller, it does not
 * change the output.
 */
public final class CacheKeys {

    private static final ObjectMapper CANONICAL = new ObjectMapper();

    private CacheKeys() {
    }

    public static String of(String tenant, ChatCompletionRequest request) {
        ObjectNode canonical = CANONICAL.createObjectNode();
        canonical.put("tenant", tenant);
        canonical.put("model", request.model());
        var messages = canonical.putArray("messages");
        for (ChatMessage message : request.messages()) {
            ObjectNode node = messages.addObject();
            node.put("role", message.role());
            node.put("content", message.content());
            if (message.name() != null) {
                node.put("name", message.name());
            }
        }
        putIfSet(canonical, "temperature", request.temperature());
        putIfSet(canonical, "top_p", request.topP());
        if (request.maxTokens() != null) {
            canonical.put("max_tokens", request.maxTokens());
        }
        if (request.seed() != null) {
            canonical.put("seed", request.seed());
        }
        if (request.stop() != null) {
            var stop = canonical.putArray("stop");
            request.stop().forEach(stop::add);
        }
        try {
            return Sha256.hex(CANONICAL.writeValueAsString(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIfSet(ObjectNode node, String field, Double value) {
        if (value != null) {
            node.put(field, value);
        }
    }

}
