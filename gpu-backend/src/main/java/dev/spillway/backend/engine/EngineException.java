package dev.spillway.backend.engine;

import java.time.Duration;
import java.util.Optional;

/** An engine could not produce a completion; {@link #retryable()} decides between requeue and FAILED. */
public class EngineException extends Exception {

    private final boolean retryable;
    private final String code;
    private final Duration retryAfter;

    public EngineException(String message, boolean retryable, String code, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static EngineException retryable(String code, String message, Duration retryAfter, Throwable cause) {
        return new EngineException(message, true, code, retryAfter, cause);
    }

    public static EngineException permanent(String code, String message) {
        return new EngineException(message, false, code, null, null);
    }

    public boolean retryable() {
        return retryable;
    }

    /** Machine-readable reason, surfaced to the client as the OpenAI error {@code code}. */
    public String code() {
        return code;
    }

    /** How long the engine asked us to stay away (an upstream's {@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
