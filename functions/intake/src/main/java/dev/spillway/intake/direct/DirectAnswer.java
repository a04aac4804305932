package dev.spillway.intake.direct;

import java.time.Instant;
import java.util.UUID;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.Usage;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamCompletion;
import dev.spillway.core.upstream.UpstreamException;

/**
 * A completion the direct lane got from an upstream target, kept as the bytes the client receives: the upstream's
 * JSON with the client's model name. It is read into Spillway's model only when it is to be cached.
 */
public final class DirectAnswer {

    private final String target;
    private final String model;
    private final byte[] body;
    private final Instant answered;

    DirectAnswer(String target, String model, byte[] body, Instant answered) {
        this.target = target;
        this.model = model;
        this.body = body;
        this.answered = answered;
    }

    /** The target that answered, named as in {@code spillway.upstreams.<target>}. */
    public String target() {
        return target;
    }

    /** The response body, as the upstream wrote it but for {@code model}. */
    public byte[] body() {
        return body;
    }

    /** The answer in Spillway's model, e.g. for the cache. */
    public ChatCompletion completion() {
        UpstreamCompletion completion;
        try {
            completion = OpenAiCompatibleClient.completionOf(body);
        } catch (UpstreamException e) {
            throw new IllegalStateException("the client already received this answer as a valid completion", e);
        }
        return ChatCompletion.of("chatcmpl-" + UUID.randomUUID().toString().replace("-", ""),
                answered.getEpochSecond(), model, completion.content(), completion.finishReason(),
                Usage.of(completion.promptTokens(), completion.completionTokens()));
    }
}
