package dev.spillway.core.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A validated OpenAI chat-completions request, reduced to the fields Spillway serves.
 * {@code max_completion_tokens} is folded into {@link #maxTokens()} at parse time.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("max_tokens") Integer maxTokens,
        Long seed,
        List<String> stop,
        String user) {

    public ChatCompletionRequest {
        messages = messages == null ? List.of() : List.copyOf(messages);
        stop = stop == null || stop.isEmpty() ? null : List.copyOf(stop);
    }

    /** Greedy decoding, or sampling pinned by a seed: the same request yields the same answer. */
    @JsonIgnore
    public boolean isDeterministic() {
        return (temperature != null && temperature == 0.0) || seed != null;
    }
}
