package dev.spillway.core.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A request Spillway refuses, carrying the HTTP status and the OpenAI error fields. Thrown before anything
 * is stored or queued, so refusing a request never changes state.
 */
public class ApiException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String NOT_FOUND = "not_found_error";
    public static final String PERMISSION = "permission_error";
    public static final String CONFLICT = "conflict_error";
    public static final String SERVICE_UNAVAILABLE = "service_unavailable_error";
    public static final String SERVER_ERROR = "server_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Duration retryAfter;

    public ApiException(int status, String type, String code, String param, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, "invalid_value", param, message, null);
    }

    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(400, INVALID_REQUEST, code, param, message, null);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, NOT_FOUND, code, null, message, null);
    }

    public static ApiException unavailable(String code, String message, Duration retryAfter) {
        return new ApiException(503, SERVICE_UNAVAILABLE, code, null, message, retryAfter);
    }

    public int status() {
        return status;
    }

    /** The OpenAI error body's {@code code}, e.g. {@code queue_unavailable}. */
    public String code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public ApiError toBody() {
        return ApiError.of(getMessage(), type, param, code);
    }
}
