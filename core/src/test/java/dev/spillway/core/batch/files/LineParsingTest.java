package dev.spillway.core.batch.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.spillway.core.api.ApiError;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatRequestParser;
import dev.spillway.core.batch.BatchRequestParser;

/** One line of a batch input file, parsed alone: what is wrong with it is named, with its position. */
class LineParsingTest {

    private final BatchRequestParser parser = new BatchRequestParser(
            new ChatRequestParser(Set.of("m")::contains, 4096), Integer.MAX_VALUE, 65536);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON            | {\"custom_id\":                                                                  | invalid_json               | requests[6]",
            "no custom_id        | {\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}              | missing_required_parameter | requests[6].custom_id",
            "wrong method        | {\"custom_id\":\"a\",\"method\":\"GET\",\"url\":\"/v1/chat/completions\",\"body\":{}} | invalid_value        | requests[6].method",
            "wrong url           | {\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{}} | invalid_value            | requests[6].url",
            "body not an object  | {\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":3} | invalid_type         | requests[6].body",
            "unknown model       | {\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}} | model_not_found | requests[6].body.model",
            "unknown field       | {\"custom_id\":\"a\",\"extra\":1}                                              | unknown_parameter          | requests[6].extra" })
    void badLine_isRefusedWithItsCodeAndPosition(String name, String line, String code, String param) {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> parser.parseLine(line.getBytes(StandardCharsets.UTF_8), 6));

        ApiError.Detail detail = refused.toBody().error();
        assertThat(detail.code()).isEqualTo(code);
        assertThat(detail.param()).isEqualTo(param);
        assertThat(detail.message()).contains("7");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"custom_id\":\"req-1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}" })
    void goodLine_givesItsCustomIdAndRequest(String line) {
        BatchRequestParser.ParsedLine parsed = parser.parseLine(line.getBytes(StandardCharsets.UTF_8), 0);

        assertThat(parsed.customId()).isEqualTo("req-1");
        assertThat(parsed.request().model()).isEqualTo("m");
    }
}
