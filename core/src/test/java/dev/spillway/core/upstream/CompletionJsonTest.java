package dev.spillway.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class CompletionJsonTest {

    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"deepseek-chat\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Water finds a way.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3},"
            + "\"system_fingerprint\":\"fp_1\"}";

    @Test
    void withModel_replacesOnlyTheTopLevelModelAndKeepsEveryOtherByte() {
        // GIVEN a request whose messages also mention a "model" key
        String request = "{ \"messages\":[{\"role\":\"user\",\"content\":\"\\\"model\\\": x\"}],\n"
                + "  \"model\" : \"client-name\", \"temperature\":0.70}";

        // WHEN
        String forwarded = text(CompletionJson.withModel(bytes(request), "upstream/model \"v2\""));

        // THEN
        assertThat(forwarded).isEqualTo(request.replace("\"client-name\"", "\"upstream/model \\\"v2\\\"\""));
    }

    @Test
    void answerFor_namesTheClientsModelAndKeepsTheRestOfTheUpstreamsBytes() throws Exception {
        // WHEN
        String answer = text(CompletionJson.answerFor(bytes(ANSWER), "my-model"));

        // THEN
        assertThat(answer).isEqualTo(ANSWER.replace("deepseek-chat", "my-model"));
    }

    @Test
    void answerFor_whenTheModelAlreadyMatches_returnsTheSameBytes() throws Exception {
        // GIVEN
        byte[] body = bytes(ANSWER);

        // WHEN / THEN
        assertThat(CompletionJson.answerFor(body, "deepseek-chat")).isSameAs(body);
    }

    @Test
    void answerFor_dropsKeepAlivePaddingBeforeTheJson() throws Exception {
        // GIVEN DeepSeek's padding while busy
        String padded = "\n\n: keep-alive\n\n: keep-alive\n" + ANSWER;

        // WHEN / THEN
        assertThat(text(CompletionJson.answerFor(bytes(padded), "deepseek-chat"))).isEqualTo(ANSWER);
    }

    @Test
    void answerFor_whenTheUpstreamNamesNoModel_addsTheClientsModel() throws Exception {
        // GIVEN
        String anonymous = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}";

        // WHEN / THEN
        assertThat(text(CompletionJson.answerFor(bytes(anonymous), "m")))
                .isEqualTo("{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"hi\"}}]}");
    }

    @Test
    void answerFor_refusesWhatIsNotACompletion() {
        for (String body : new String[] {"", ": keep-alive\n", "not json", "{\"error\":{\"message\":\"busy\"}}",
                "{\"choices\":[]}", "{\"choices\":[\"text\"]}", "{\"choices\":[{}]", ANSWER + " {}", "[1]"}) {
            UpstreamException e = catchThrowableOfType(UpstreamException.class,
                    () -> CompletionJson.answerFor(bytes(body), "m"));

            assertThat(e).as(body).isNotNull();
            assertThat(e.retryable()).isTrue();
            assertThat(e.code()).isEqualTo("upstream_bad_response");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
