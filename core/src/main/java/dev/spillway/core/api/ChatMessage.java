package dev.spillway.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One message of a chat conversation; content is plain text (text parts are joined at parse time). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(String role, String content, String name) {

    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, null);
    }
}
