package dev.spillway.core.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The OpenAI {@code chat.completion} response object. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage) {

    public static final String OBJECT = "chat.completion";

    public static ChatCompletion of(String id, long created, String model, String content, String finishReason,
            Usage usage) {
        return new ChatCompletion(id, OBJECT, created, model,
                List.of(new Choice(0, ChatMessage.of("assistant", content), finishReason)), usage);
    }

    @RegisterForReflection
    public record Choice(int index, ChatMessage message, @JsonProperty("finish_reason") String finishReason) {
    }
}
