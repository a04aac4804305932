package dev.spillway.intake.direct;

import dev.spillway.core.api.ChatCompletion;
import io.smallrye.mutiny.Multi;
import io.vertx.core.buffer.Buffer;

/**
 * A completion the direct lane got from an upstream target, kept as the bytes the client receives: the upstream's
 * JSON with the client's model name. It is read into a tree only when it is to be cached.
 */
public final class DirectAnswer {

    private final String target;
    private final byte[] body;
    private final Multi<Buffer> events;

    DirectAnswer(String target, byte[] body) {
        this(target, body, null);
    }

    private DirectAnswer(String target, byte[] body, Multi<Buffer> events) {
        this.target = target;
        this.body = body;
        this.events = events;
    }

    /** A streamed answer: the upstream's events relayed as they arrive. */
    static DirectAnswer streamed(String target, Multi<Buffer> events) {
        return new DirectAnswer(target, null, events);
    }

    /** The events of a streamed answer, or null for a whole one ({@link #body()}). */
    public Multi<Buffer> events() {
        return events;
    }

    /** The target that answered, named as in {@code spillway.upstreams.<target>}. */
    public String target() {
        return target;
    }

    /** The response body, as the upstream wrote it but for {@code model}. */
    public byte[] body() {
        return body;
    }

    /** The answer as the client received it, for the cache. */
    public ChatCompletion completion() {
        return ChatCompletion.parse(body);
    }
}
