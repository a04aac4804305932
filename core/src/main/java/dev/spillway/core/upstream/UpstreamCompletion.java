package dev.spillway.core.upstream;

/**
 * What an upstream answered for one request.
 *
 * @param finishReason OpenAI's {@code stop} (natural end or stop sequence) or {@code length} (token limit)
 */
public record UpstreamCompletion(String content, String finishReason, int promptTokens, int completionTokens) {
}
