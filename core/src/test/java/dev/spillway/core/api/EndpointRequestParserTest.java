package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/completions} and {@code /v1/embeddings} bodies: every OpenAI and DeepSeek form accepted and kept as sent,
 * malformed ones refused naming the field, and what a model's engine cannot serve refused naming the model.
 */
class EndpointRequestParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code vllm} is OpenAI-compatible, {@code tiny} runs on llama.cpp, {@code chat-only} serves no embeddings. */
    private final ChatRequestParser parser = new ChatRequestParser(Set.of("vllm", "tiny", "chat-only")::contains,
            model -> !model.equals("tiny"),
            (model, kind) -> !(model.equals("chat-only") && kind == RequestKind.EMBEDDING), 4096);

    private ChatCompletionRequest parse(RequestKind kind, String json) {
        return parser.parse(kind, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFimCompletion_isKeptAsSent_withItsKindAndTypedView() throws Exception {
        String json = """
                {"model":"vllm","prompt":"def fib(a):","suffix":"    return fib(a-1) + fib(a-2)","max_tokens":128,
                 "temperature":0,"echo":false,"logprobs":3,"best_of":2,"n":2,"stop":["\\n\\n"],"seed":9,
                 "presence_penalty":0.1,"frequency_penalty":0.2,"logit_bias":{"50256":-100},"user":"u",
                 "x_vendor":{"keep":true}}""";

        ChatCompletionRequest request = parse(RequestKind.COMPLETION, json);

        assertThat(request.kind()).isEqualTo(RequestKind.COMPLETION);
        assertThat(request.body()).isEqualTo(JSON.readTree(json));
        assertThat(request.model()).isEqualTo("vllm");
        assertThat(request.prompt()).isEqualTo("def fib(a):");
        assertThat(request.maxTokens()).isEqualTo(128);
        assertThat(request.isDeterministic()).isTrue();
    }

    @Test
    void everyPromptAndInputForm_isAccepted() {
        for (String input : new String[] {"\"text\"", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]"}) {
            assertThat(parse(RequestKind.COMPLETION, "{\"model\":\"vllm\",\"prompt\":" + input + "}").kind())
                    .isEqualTo(RequestKind.COMPLETION);
            assertThat(parse(RequestKind.EMBEDDING, "{\"model\":\"vllm\",\"input\":" + input + "}").kind())
                    .isEqualTo(RequestKind.EMBEDDING);
        }
    }

    @Test
    void anEmbedding_isDeterministic_andKeepsEncodingAndDimensions() throws Exception {
        String json = "{\"model\":\"vllm\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\",\"dimensions\":8}";

        ChatCompletionRequest request = parse(RequestKind.EMBEDDING, json);

        assertThat(request.body()).isEqualTo(JSON.readTree(json));
        assertThat(request.isDeterministic()).isTrue();
        assertThat(request.stream()).isFalse();
    }

    @Test
    void malformedBodies_areRefusedNamingTheField() {
        Map<String, String> completions = Map.of(
                "{\"model\":\"vllm\"}", "prompt",
                "{\"model\":\"vllm\",\"prompt\":{\"text\":\"x\"}}", "prompt",
                "{\"model\":\"vllm\",\"prompt\":[]}", "prompt",
                "{\"model\":\"vllm\",\"prompt\":[\"a\",1]}", "prompt[1]",
                "{\"model\":\"vllm\",\"prompt\":\"x\",\"suffix\":5}", "suffix",
                "{\"model\":\"vllm\",\"prompt\":\"x\",\"logprobs\":true}", "logprobs",
                "{\"model\":\"vllm\",\"prompt\":\"x\",\"echo\":\"yes\"}", "echo",
                "{\"model\":\"vllm\",\"prompt\":\"x\",\"n\":3,\"best_of\":2}", "best_of",
                "{\"model\":\"vllm\",\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}", "stream_options");
        completions.forEach((body, param) -> assertThatThrownBy(() -> parse(RequestKind.COMPLETION, body))
                .as(body).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toBody().error().param()).isEqualTo(param);
                }));
        Map<String, String> embeddings = Map.of(
                "{\"model\":\"vllm\"}", "input",
                "{\"model\":\"vllm\",\"input\":{\"a\":1}}", "input",
                "{\"model\":\"vllm\",\"input\":[[1],[-2]]}", "input[1][0]",
                "{\"model\":\"vllm\",\"input\":\"x\",\"encoding_format\":\"int8\"}", "encoding_format",
                "{\"model\":\"vllm\",\"input\":\"x\",\"dimensions\":0}", "dimensions");
        embeddings.forEach((body, param) -> assertThatThrownBy(() -> parse(RequestKind.EMBEDDING, body))
                .as(body).isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toBody().error().param()).isEqualTo(param);
                }));
    }

    @Test
    void whatTheModelsEngineCannotServe_isRefusedNamingTheFieldAndTheModel() {
        assertRefused(RequestKind.COMPLETION, "{\"model\":\"tiny\",\"prompt\":\"x\",\"suffix\":\"y\"}", "suffix", "tiny");
        assertRefused(RequestKind.COMPLETION, "{\"model\":\"tiny\",\"prompt\":\"x\",\"echo\":true}", "echo", "tiny");
        assertRefused(RequestKind.COMPLETION, "{\"model\":\"tiny\",\"prompt\":\"x\",\"logprobs\":2}", "logprobs", "tiny");
        assertRefused(RequestKind.COMPLETION, "{\"model\":\"tiny\",\"prompt\":[1,2]}", "prompt", "tiny");
        assertRefused(RequestKind.EMBEDDING, "{\"model\":\"tiny\",\"input\":\"x\"}", "model", "tiny");
        assertRefused(RequestKind.EMBEDDING, "{\"model\":\"chat-only\",\"input\":\"x\"}", "model", "chat-only");
        // what llama.cpp can do passes
        assertThat(parse(RequestKind.COMPLETION, "{\"model\":\"tiny\",\"prompt\":\"x\",\"echo\":false,\"n\":1,"
                + "\"temperature\":0,\"stream\":true}").prompt()).isEqualTo("x");
    }

    @Test
    void anUnknownModel_isNotFound() {
        assertThatThrownBy(() -> parse(RequestKind.EMBEDDING, "{\"model\":\"nope\",\"input\":\"x\"}"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("model_not_found");
                });
    }

    @Test
    void aStoredRequestOfAnotherEndpoint_readsBackWithItsKind_whileAChatRequestIsStillItsBareBody() throws Exception {
        ChatCompletionRequest completion = parse(RequestKind.COMPLETION, "{\"model\":\"vllm\",\"prompt\":\"x\"}");
        ChatCompletionRequest chat = parser.parse("{\"model\":\"vllm\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                .getBytes(StandardCharsets.UTF_8));

        String storedCompletion = JSON.writeValueAsString(completion);
        String storedChat = JSON.writeValueAsString(chat);

        assertThat(JSON.readTree(storedCompletion).path("endpoint").asText()).isEqualTo("/v1/completions");
        assertThat(JSON.readTree(storedChat)).isEqualTo(chat.body());
        assertThat(JSON.readValue(storedCompletion, ChatCompletionRequest.class)).isEqualTo(completion);
        assertThat(JSON.readValue(storedCompletion, ChatCompletionRequest.class).kind())
                .isEqualTo(RequestKind.COMPLETION);
        assertThat(JSON.readValue(storedChat, ChatCompletionRequest.class).kind()).isEqualTo(RequestKind.CHAT);
        assertThat(ChatCompletionRequest.of((ObjectNode) JSON.readTree(storedChat))).isEqualTo(chat);
    }

    private void assertRefused(RequestKind kind, String body, String param, String model) {
        assertThatThrownBy(() -> parse(kind, body)).as(body).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.toBody().error().param()).isEqualTo(param);
            assertThat(e.getMessage()).contains("`" + model + "`");
        });
    }
}
