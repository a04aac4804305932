package dev.spillway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;

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
    void theUserLabel_doesNotChangeTheKey() {
        assertThat(CacheKeys.of("t", request("hi", 0.0, 5, "alice"))).isEqualTo(CacheKeys.of("t", request("hi", 0.0, 5, "bob")));
    }
}
