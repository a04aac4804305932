package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class CompletionChunksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RICH = """
            {"id":"chatcmpl-1","object":"chat.completion","created":7,"model":"m","system_fingerprint":"fp",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"think",
               "tool_calls":[{"id":"c0","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
               "logprobs":{"content":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],"top_logprobs":[]}]},
               "finish_reason":"tool_calls"},
              {"index":1,"message":{"role":"assistant","content":"Ho"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_cache_hit_tokens":1},
             "x_future":[1]}""";

    @Test
    void aCompletionToldAsChunks_assemblesBackToTheSameCompletion() throws Exception {
        // GIVEN
        ChatCompletion completion = ChatCompletion.of((ObjectNode) JSON.readTree(RICH));

        // WHEN
        List<ObjectNode> chunks = CompletionChunks.of(completion, true);
        ChunkAssembler assembler = new ChunkAssembler();
        chunks.forEach(assembler::add);

        // THEN every chunk is a chunk carrying the top-level fields, the usage comes last, and nothing is lost
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("system_fingerprint").asText()).isEqualTo("fp");
        });
        assertThat(chunks.get(chunks.size() - 1).path("choices")).isEmpty();
        assertThat(chunks.get(0).path("choices").path(0).path("delta").path("tool_calls").path(0).path("index").asInt())
                .isZero();
        ObjectNode expected = (ObjectNode) JSON.readTree(RICH);
        assertThat(JSON.readTree(assembler.completion().orElseThrow().toString())).isEqualTo(expected);
    }

    @Test
    void withoutIncludeUsage_noChunkCarriesTheUsage() throws Exception {
        List<ObjectNode> chunks = CompletionChunks.of(ChatCompletion.of((ObjectNode) JSON.readTree(RICH)), false);

        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
    }

    @Test
    void aStreamWithoutItsFinishReasons_assemblesToNothing() throws Exception {
        ChunkAssembler assembler = new ChunkAssembler();
        assembler.add((ObjectNode) JSON.readTree("""
                {"id":"x","object":"chat.completion.chunk","created":1,"model":"m",
                 "choices":[{"index":0,"delta":{"role":"assistant","content":"par"},"finish_reason":null}]}"""));

        assertThat(assembler.completion()).isEmpty();
    }

    @Test
    void aTextCompletionToldAsChunks_isTextCompletionChunks_thatAssembleBackToItself() throws Exception {
        // GIVEN a text completion with two choices, logprobs and an unknown field
        String text = """
                {"id":"cmpl-1","object":"text_completion","created":7,"model":"m","system_fingerprint":"fp",
                 "choices":[{"text":"def f():","index":0,"logprobs":{"tokens":["def"],"token_logprobs":[-0.1]},
                   "finish_reason":"stop"},{"text":"x","index":1,"logprobs":null,"finish_reason":"length"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"x_future":1}""";
        ChatCompletion completion = ChatCompletion.of((ObjectNode) JSON.readTree(text));

        // WHEN
        List<ObjectNode> chunks = CompletionChunks.of(completion, true);
        ChunkAssembler assembler = new ChunkAssembler();
        chunks.forEach(assembler::add);

        // THEN OpenAI's text chunks (object text_completion, choices with text), usage last, nothing lost
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("object").asText()).isEqualTo("text_completion"));
        assertThat(chunks.get(0).path("choices").path(0).path("text").asText()).isEqualTo("def f():");
        assertThat(chunks.get(0).path("choices").path(0).path("finish_reason").isNull()).isTrue();
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("total_tokens").asInt()).isEqualTo(5);
        assertThat(JSON.readTree(assembler.completion().orElseThrow().toString())).isEqualTo(JSON.readTree(text));
    }
}
