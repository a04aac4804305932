package dev.spillway.core.upstream;

/**
 * What an upstream answered for one request.
 *
 * @param finishReason OpenAI's {@code stop} (natural end or stop sequence) or {@code length} (token limit)
 * @param json         the whole answer as the upstream wrote it, but for {@code model}: the name the client asked for
 */
public record UpstreamCompletion(String content, String finishReason, int promptTokens, int completionTokens,
        byte[] json) {
}
