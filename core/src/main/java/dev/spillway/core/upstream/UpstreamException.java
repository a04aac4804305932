package dev.spillway.core.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * Whatever Spillway asked for a completion could not produce one: an OpenAI-compatible upstream (the direct lane's
 * targets, the worker's {@code openai} engine) or the worker's embedded engine. {@link #retryable()} separates
 * trouble that may pass (overload, rate limit, timeout, 5xx, a cut-off body) from rejections that never will (bad
 * request, bad key, context too long); the worker requeues the first and fails the job on the second.
 */
public class UpstreamException extends Exception {

    private final boolean retryable;
    private final String code;
    private final Duration retryAfter;

    public UpstreamException(String message, boolean retryable, String code, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static UpstreamException retryable(String code, String message, Duration retryAfter, Throwable cause) {
        return new UpstreamException(message, true, code, retryAfter, cause);
    }

    public static UpstreamException permanent(String code, String message) {
        return new UpstreamException(message, false, code, null, null);
    }

    public boolean retryable() {
        return retryable;
    }

    /**
     * Machine-readable reason, surfaced to the client as the OpenAI error {@code code}: e.g.
     * {@code upstream_rate_limited}, {@code upstream_timeout}, {@code engine_closed}.
     */
    public String code() {
        return code;
    }

    /** How long the upstream asked us to stay away ({@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
