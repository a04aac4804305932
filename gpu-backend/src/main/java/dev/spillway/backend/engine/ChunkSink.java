package dev.spillway.backend.engine;

/**
 * Receives an answer as the engine generates it. Calls come from the engine's token loop: they must not block.
 */
public interface ChunkSink {

    /** One chunk an engine's server wrote (OpenAI's chunk JSON), kept as it is. */
    void chunk(String json);

    /** Text an engine generated itself (llama.cpp's tokens): the worker wraps it into a chunk. */
    void text(String piece);
}
