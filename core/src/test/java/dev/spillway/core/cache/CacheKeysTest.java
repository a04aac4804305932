package dev.spillway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.RequestKind;

class CacheKeysTest {

    private static ChatCompletionRequest request(String content, Double temperature, Integer maxTokens, String user) {
        return new ChatCompletionRequest("m", List.of(ChatMessage.of("user", content)), temperature, null, maxTokens,
                null, null, user);
    }

    @Test
    void sameRequestSameTenant_sameKey() {
        assertThat(CacheKeys.of("t", request("hi", 0.0, 5, null))).isEqualTo(CacheKeys.of("t", request("hi", 0.0, 5, null)))
                .hasSize(64);
    }

    @Test
    void anythingThatChangesTheAnswer_changesTheKey() {
        String base = CacheKeys.of("t", request("hi", 0.0, 5, null));

        assertThat(CacheKeys.of("other-tenant", request("hi", 0.0, 5, null))).isNotEqualTo(base);
        assertThat(CacheKeys.of("t", request("hi!", 0.0, 5, null))).isNotEqualTo(base);
        assertThat(CacheKeys.of("t", request("hi", 0.5, 5, null))).isNotEqualTo(base);
        assertThat(CacheKeys.of("t", request("hi", 0.0, 6, null))).isNotEqualTo(base);
    }

    @Test
    void everyFieldOfTheBody_unknownOnesIncluded_changesTheKey_butNotHowItIsDelivered() {
        String base = CacheKeys.of("t", parse("{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

        assertThat(CacheKeys.of("t", parse("{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],\"temperature\":0.0,\"model\":\"m\"}")))
                .as("field order and number spelling").isEqualTo(base);
        assertThat(CacheKeys.of("t", parse("{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"user\":\"u\",\"metadata\":{\"a\":\"b\"}}")))
                .as("delivery and labels").isEqualTo(base);
        for (String field : new String[] {"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]",
                "\"response_format\":{\"type\":\"json_object\"}", "\"logprobs\":true", "\"n\":2",
                "\"thinking\":{\"type\":\"disabled\"}", "\"presence_penalty\":1"}) {
            assertThat(CacheKeys.of("t", parse("{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]," + field + "}"))).as(field).isNotEqualTo(base);
        }
    }

    private static ChatCompletionRequest parse(String json) {
        try {
            return ChatCompletionRequest.of((ObjectNode) new ObjectMapper().readTree(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theUserLabel_doesNotChangeTheKey() {
        assertThat(CacheKeys.of("t", request("hi", 0.0, 5, "alice"))).isEqualTo(CacheKeys.of("t", request("hi", 0.0, 5, "bob")));
    }

    @Test
    void theEndpointIsInTheKey_andEveryFieldThatShapesAnEmbeddingOrATextCompletion() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = (ObjectNode) json.readTree("{\"model\":\"m\",\"prompt\":\"hi\",\"input\":\"hi\",\"temperature\":0}");
        String completion = CacheKeys.of("t", ChatCompletionRequest.of(RequestKind.COMPLETION, body));
        String embedding = CacheKeys.of("t", ChatCompletionRequest.of(RequestKind.EMBEDDING, body));

        assertThat(completion).isNotEqualTo(embedding).isNotEqualTo(CacheKeys.of("t", ChatCompletionRequest.of(body)));
        for (String field : new String[] {"\"suffix\":\"end\"", "\"echo\":true", "\"logprobs\":2", "\"best_of\":3"}) {
            assertThat(CacheKeys.of("t", ChatCompletionRequest.of(RequestKind.COMPLETION, (ObjectNode) json.readTree(
                    "{\"model\":\"m\",\"prompt\":\"hi\",\"input\":\"hi\",\"temperature\":0," + field + "}"))))
                    .as(field).isNotEqualTo(completion);
        }
        for (String field : new String[] {"\"encoding_format\":\"base64\"", "\"dimensions\":8"}) {
            assertThat(CacheKeys.of("t", ChatCompletionRequest.of(RequestKind.EMBEDDING, (ObjectNode) json.readTree(
                    "{\"model\":\"m\",\"prompt\":\"hi\",\"input\":\"hi\",\"temperature\":0," + field + "}"))))
                    .as(field).isNotEqualTo(embedding);
        }
    }
}
