package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one strict reader behind the chat and batch parsers: what a lenient JSON library would let through is refused. */
class StrictJsonTest {

    private final StrictJson json = new StrictJson(3);

    private ApiError.Detail refusal(byte[] body) {
        return catchThrowableOfType(ApiException.class, () -> json.read(body, "requests[2]", "Batch request 3"))
                .toBody().error();
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":1,\"a\":2}", "{\"a\":NaN}", "{\"a\":1} trailing", "[[[[1]]]]", "{\"a\":" })
    void bodyALenientReaderWouldAccept_isRefusedAsInvalidJson_namingWhereItIs(String body) {
        ApiError.Detail detail = refusal(body.getBytes(StandardCharsets.UTF_8));

        assertThat(detail.code()).isEqualTo("invalid_json");
        assertThat(detail.param()).isEqualTo("requests[2]");
        assertThat(detail.message()).startsWith("Batch request 3 is not valid JSON: ");
    }

    @Test
    void emptyBody_isRefusedAsEmpty() {
        assertThat(refusal(new byte[0]).message()).isEqualTo("Batch request 3 is empty; expected a JSON object.");
        assertThat(refusal("  ".getBytes(StandardCharsets.UTF_8)).code()).isEqualTo("invalid_json");
    }

    @Test
    void bytesThatAreNotUtf8_areRefusedAsInvalidEncoding() {
        ApiError.Detail detail = refusal(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"',
                '}' });

        assertThat(detail.code()).isEqualTo("invalid_encoding");
        assertThat(detail.message()).isEqualTo("Batch request 3 is not valid UTF-8.");
    }

    @Test
    void wellFormedBody_isReadWithinTheNestingLimit() {
        assertThat(json.read("{\"a\":[{\"b\":1}]}".getBytes(StandardCharsets.UTF_8), null, "The request body")
                .at("/a/0/b").asInt()).isEqualTo(1);
    }
}
