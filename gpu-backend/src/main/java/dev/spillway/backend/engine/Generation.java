package dev.spillway.backend.engine;

/**
 * What an engine produced for one request.
 *
 * @param finishReason OpenAI's {@code stop} (natural end or stop sequence) or {@code length} (token limit)
 * @param answer       the whole {@code chat.completion} JSON when the engine's server wrote one (OpenAI-compatible
 *                     engines), kept for the client as it is; null when Spillway builds the completion from the text
 */
public record Generation(String content, String finishReason, int promptTokens, int completionTokens, byte[] answer) {

    /** Text an engine generated itself (llama.cpp, simulations): the worker builds the completion around it. */
    public Generation(String content, String finishReason, int promptTokens, int completionTokens) {
        this(content, finishReason, promptTokens, completionTokens, null);
    }
}
