package dev.spillway.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The OpenAI error body: {@code {"error":{"message","type","param","code"}}}. */
@RegisterForReflection
public record ApiError(Detail error) {

    public static ApiError of(String message, String type, String param, String code) {
        return new ApiError(new Detail(message, type, param, code));
    }

    /** {@code param} and {@code code} are always present, as null when they do not apply, as OpenAI does. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }
}
