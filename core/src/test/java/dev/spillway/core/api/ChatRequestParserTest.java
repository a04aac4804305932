package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class ChatRequestParserTest {

    private final ChatRequestParser parser = new ChatRequestParser(Set.of("m")::contains, 4096);

    private ChatCompletionRequest parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesEveryServedField() {
        ChatCompletionRequest request = parse("""
                {"model":"m","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"name":"ann"}],
                 "temperature":0,"top_p":0.5,"max_completion_tokens":32,"seed":7,"stop":"END","user":"u-1",
                 "n":1,"stream":false,"metadata":{"k":"v"},"presence_penalty":0,"tools":[]}""");

        assertThat(request).usingRecursiveComparison().ignoringFields("body").isEqualTo(new ChatCompletionRequest(
                "m", List.of(ChatMessage.of("system", "be brief"), new ChatMessage("user", "a\nb", "ann")), 0.0, 0.5,
                32, 7L, List.of("END"), "u-1"));
        assertThat(request.isDeterministic()).isTrue();
    }

    @Test
    void theBodyIsKeptAsSent_everyFieldIncluded() throws Exception {
        String json = """
                {"model":"m","messages":[{"role":"user","content":"weather?"},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "tool_choice":"auto","parallel_tool_calls":false,"logprobs":true,"top_logprobs":3,"n":2,
                 "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"}}},
                 "presence_penalty":0.5,"frequency_penalty":-1,"reasoning_effort":"low","thinking":{"type":"enabled"}}""";

        ChatCompletionRequest request = parse(json);

        assertThat(request.body()).isEqualTo(new ObjectMapper().readTree(json));
        assertThat(request.messages()).extracting(ChatMessage::role).containsExactly("user", "assistant", "tool");
        assertThat(request.messages().get(1).content()).isEmpty();
    }

    @Test
    void aStoredRequestReadsBackAsTheSameRequest_includingOnesStoredBeforeBodiesWereKept() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ChatCompletionRequest sent = parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"max_completion_tokens\":5}");

        assertThat(json.readValue(json.writeValueAsString(sent), ChatCompletionRequest.class)).isEqualTo(sent);
        ChatCompletionRequest old = json.readValue("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\",\"name\":\"n\"}],\"temperature\":0.0,\"top_p\":0.5,\"max_tokens\":9,\"seed\":3,"
                + "\"stop\":[\"END\"],\"user\":\"u\"}", ChatCompletionRequest.class);
        assertThat(old).isEqualTo(new ChatCompletionRequest("m", List.of(new ChatMessage("user", "x", "n")), 0.0, 0.5,
                9, 3L, List.of("END"), "u"));
    }

    @Test
    void aLlamaCppModelRefusesWhatItsEngineCannotDo_namingTheFieldAndTheModel() {
        ChatRequestParser parser = new ChatRequestParser(Set.of("m", "tiny")::contains, "m"::equals, 4096);
        String msg = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

        for (String[] refused : new String[][] {
                {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tools"},
                {"\"logprobs\":true", "logprobs"}, {"\"n\":2", "n"}, {"\"thinking\":{\"type\":\"enabled\"}", "thinking"},
                {"\"logit_bias\":{\"50256\":-100}", "logit_bias"}}) {
            assertThatThrownBy(() -> parser.parse(("{\"model\":\"tiny\"," + msg + "," + refused[0] + "}")
                    .getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.toBody().error().param()).isEqualTo(refused[1]);
                        assertThat(e.getMessage()).contains("tiny");
                    });
            assertThat(parser.parse(("{\"model\":\"m\"," + msg + "," + refused[0] + "}").getBytes(StandardCharsets.UTF_8))
                    .model()).isEqualTo("m");
        }
        assertThat(parser.parse(("{\"model\":\"tiny\"," + msg + ",\"response_format\":{\"type\":\"json_object\"},"
                + "\"logprobs\":false,\"tools\":[]}").getBytes(StandardCharsets.UTF_8)).model()).isEqualTo("tiny");
    }

    @Test
    void legacyMaxTokensIsAccepted() {
        assertThat(parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":9}")
                .maxTokens()).isEqualTo(9);
    }

    @Test
    void emptyStopSequencesAreDropped() {
        assertThat(parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"\"]}")
                .stop()).isNull();
    }

    @Test
    void replacementCharacters_areRefusedAsBrokenEncoding() {
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\uFFFDb\"}]}"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.toBody().error().code()).isEqualTo("invalid_encoding");
                });
    }

    @Test
    void unknownModelIs404NamingTheModel() {
        assertThatThrownBy(() -> parse("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("nope");
                    assertThat(e.toBody().error().param()).isEqualTo("model");
                });
    }
}
