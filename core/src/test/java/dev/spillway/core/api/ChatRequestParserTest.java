package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

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

        assertThat(request).isEqualTo(new ChatCompletionRequest("m", List.of(ChatMessage.of("system", "be brief"),
                new ChatMessage("user", "a\nb", "ann")), 0.0, 0.5, 32, 7L, List.of("END"), "u-1"));
        assertThat(request.isDeterministic()).isTrue();
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
