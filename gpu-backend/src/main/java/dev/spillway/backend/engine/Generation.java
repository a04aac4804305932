package dev.spillway.backend.engine;

/**
 * What an engine produced for one request.
 *
 * @param finishReason OpenAI's {@code stop} (natural end or stop sequence) or {@code length} (token limit)
 */
public record Generation(String content, String finishReason, int promptTokens, int completionTokens) {
}
