package dev.spillway.core.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * An OpenAI-compatible upstream could not produce a completion. {@link #retryable()} separates trouble that may pass
 * (overload, rate limit, timeout, 5xx, a cut-off body) from rejections that never will (bad request, bad key).
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

    /** Machine-readable reason, e.g. {@code upstream_rate_limited}, {@code upstream_overloaded}, {@code upstream_timeout}. */
    public String code() {
        return code;
    }

    /** How long the upstream asked us to stay away ({@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
