package dev.spillway.core.api;

import java.util.Optional;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Which OpenAI endpoint a request was sent to, and so which kind of answer it gets: a chat completion, a (legacy)
 * text completion, or an embedding list. A job carries it with its request, so the worker calls the same endpoint
 * of its engine and the job's answer is that endpoint's own object.
 */
@RegisterForReflection
public enum RequestKind {

    CHAT("/v1/chat/completions", "chat/completions"),
    COMPLETION("/v1/completions", "completions"),
    EMBEDDING("/v1/embeddings", "embeddings");

    private final String path;
    private final String upstreamPath;

    RequestKind(String path, String upstreamPath) {
        this.path = path;
        this.upstreamPath = upstreamPath;
    }

    /** The path clients send it to on Spillway, e.g. {@code /v1/completions}. */
    public String path() {
        return path;
    }

    /** The path an OpenAI-compatible server serves it on, relative to its API root, e.g. {@code completions}. */
    public String upstreamPath() {
        return upstreamPath;
    }

    /** The kind served at {@code path} ({@link #path()}), if any. */
    public static Optional<RequestKind> ofPath(String path) {
        for (RequestKind kind : values()) {
            if (kind.path.equals(path)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind an OpenAI-compatible server serves at {@code upstreamPath} ({@link #upstreamPath()}), if any. */
    public static Optional<RequestKind> ofUpstreamPath(String upstreamPath) {
        String trimmed = upstreamPath.strip().replaceAll("^/+", "");
        for (RequestKind kind : values()) {
            if (kind.upstreamPath.equals(trimmed)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
