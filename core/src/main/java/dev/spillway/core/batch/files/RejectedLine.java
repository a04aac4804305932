package dev.spillway.core.batch.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A line of a batch input file that never became a request, as it appears in the batch's error file: the shape
 * of OpenAI's batch output lines ({@code id}, {@code custom_id}, {@code response}, {@code error}), with the line
 * number (1-based) and the offending parameter in the error.
 *
 * @param customId the line's {@code custom_id} when it could be read, else null
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RejectedLine(String id, @JsonProperty("custom_id") String customId, Object response, Error error) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String code, String message, String param, long line) {
    }
}
