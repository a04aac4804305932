package dev.spillway.core.job;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Why a job failed, in the OpenAI error vocabulary.
 *
 * @param status the HTTP status a waiting client receives for this failure
 */
@RegisterForReflection
public record JobError(String message, String type, String code, int status) {

    public static JobError server(String code, String message) {
        return new JobError(message, "server_error", code, 502);
    }

    public static JobError rejected(String code, String message) {
        return new JobError(message, "invalid_request_error", code, 400);
    }
}
