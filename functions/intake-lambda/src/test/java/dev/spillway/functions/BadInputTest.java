package dev.spillway.functions;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every malformed request is refused with a 4xx in the OpenAI error shape, and leaves nothing behind: no job
 * stored, no message queued.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class BadInputTest {

    private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String MODEL = "\"model\":\"test-model\"";

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    static Stream<Arguments> badChatRequests() {
        return Stream.of(
                bad("empty body", "", 400, "invalid_json", null),
                bad("not JSON", "hello", 400, "invalid_json", null),
                bad("truncated JSON", "{" + MODEL + ",\"messages\":[{\"role\":\"us", 400, "invalid_json", null),
                bad("JSON array", "[1,2]", 400, "invalid_json", null),
                bad("JSON string", "\"chat\"", 400, "invalid_json", null),
                bad("trailing garbage", "{" + MODEL + "," + MSG + "} extra", 400, "invalid_json", null),
                bad("duplicate key", "{" + MODEL + "," + MODEL + "," + MSG + "}", 400, "invalid_json", null),
                bad("NaN temperature", "{" + MODEL + "," + MSG + ",\"temperature\":NaN}", 400, "invalid_json", null),
                bad("deeply nested", "{" + MODEL + "," + MSG + ",\"metadata\":" + "[".repeat(500) + "]".repeat(500) + "}",
                        400, "invalid_json", null),
                bad("missing model", "{" + MSG + "}", 400, "missing_required_parameter", "model"),
                bad("model not a string", "{\"model\":42," + MSG + "}", 400, "invalid_type", "model"),
                bad("blank model", "{\"model\":\"  \"," + MSG + "}", 400, "invalid_value", "model"),
                bad("unknown model", "{\"model\":\"gpt-17\"," + MSG + "}", 404, "model_not_found", "model"),
                bad("missing messages", "{" + MODEL + "}", 400, "missing_required_parameter", "messages"),
                bad("empty messages", "{" + MODEL + ",\"messages\":[]}", 400, "empty_array", "messages"),
                bad("messages not an array", "{" + MODEL + ",\"messages\":\"hi\"}", 400, "invalid_type", "messages"),
                bad("message not an object", "{" + MODEL + ",\"messages\":[\"hi\"]}", 400, "invalid_type", "messages[0]"),
                bad("unknown role", "{" + MODEL + ",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400,
                        "invalid_role", "messages[0].role"),
                bad("missing role", "{" + MODEL + ",\"messages\":[{\"content\":\"hi\"}]}", 400,
                        "missing_required_parameter", "messages[0].role"),
                bad("missing content", "{" + MODEL + ",\"messages\":[{\"role\":\"user\"}]}", 400,
                        "missing_required_parameter", "messages[0].content"),
                bad("content a number", "{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":7}]}", 400,
                        "invalid_type", "messages[0].content"),
                bad("unknown content part", "{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                        + "\"hologram\",\"hologram\":{\"url\":\"x\"}}]}]}", 400, "unsupported_content",
                        "messages[0].content[0].type"),
                bad("tool calls on a user message", "{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\","
                        + "\"tool_calls\":[]}]}", 400, "invalid_value", "messages[0].tool_calls"),
                bad("unknown message field", "{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\","
                        + "\"mood\":\"sad\"}]}", 400, "unknown_parameter", "messages[0].mood"),
                bad("tool message without its call id", "{" + MODEL + ",\"messages\":[{\"role\":\"tool\",\"content\":"
                        + "\"sunny\"}]}", 400, "missing_required_parameter", "messages[0].tool_call_id"),
                bad("temperature too high", "{" + MODEL + "," + MSG + ",\"temperature\":2.5}", 400, "invalid_value",
                        "temperature"),
                bad("negative temperature", "{" + MODEL + "," + MSG + ",\"temperature\":-1}", 400, "invalid_value",
                        "temperature"),
                bad("temperature a string", "{" + MODEL + "," + MSG + ",\"temperature\":\"hot\"}", 400,
                        "invalid_type", "temperature"),
                bad("top_p above 1", "{" + MODEL + "," + MSG + ",\"top_p\":1.5}", 400, "invalid_value", "top_p"),
                bad("zero max_tokens", "{" + MODEL + "," + MSG + ",\"max_tokens\":0}", 400, "invalid_value",
                        "max_tokens"),
                bad("negative max_tokens", "{" + MODEL + "," + MSG + ",\"max_tokens\":-5}", 400, "invalid_value",
                        "max_tokens"),
                bad("fractional max_tokens", "{" + MODEL + "," + MSG + ",\"max_tokens\":1.5}", 400, "invalid_type",
                        "max_tokens"),
                bad("huge max_tokens", "{" + MODEL + "," + MSG + ",\"max_tokens\":99999999999}", 400, "invalid_type",
                        "max_tokens"),
                bad("max_tokens over the limit", "{" + MODEL + "," + MSG + ",\"max_completion_tokens\":1000000}", 400,
                        "invalid_value", "max_completion_tokens"),
                bad("conflicting token limits", "{" + MODEL + "," + MSG + ",\"max_tokens\":5,\"max_completion_tokens\":6}",
                        400, "invalid_value", "max_completion_tokens"),
                bad("seed a string", "{" + MODEL + "," + MSG + ",\"seed\":\"42\"}", 400, "invalid_type", "seed"),
                bad("stop a number", "{" + MODEL + "," + MSG + ",\"stop\":5}", 400, "invalid_type", "stop"),
                bad("too many stops", "{" + MODEL + "," + MSG + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400,
                        "invalid_value", "stop"),
                bad("n zero", "{" + MODEL + "," + MSG + ",\"n\":0}", 400, "invalid_value", "n"),
                bad("n above 128", "{" + MODEL + "," + MSG + ",\"n\":129}", 400, "invalid_value", "n"),
                bad("n a string", "{" + MODEL + "," + MSG + ",\"n\":\"2\"}", 400, "invalid_type", "n"),
                bad("stream_options not an object", "{" + MODEL + "," + MSG + ",\"stream\":true,\"stream_options\":true}",
                        400, "invalid_type", "stream_options"),
                bad("include_usage not boolean", "{" + MODEL + "," + MSG + ",\"stream\":true,\"stream_options\":"
                        + "{\"include_usage\":\"yes\"}}", 400, "invalid_type", "stream_options.include_usage"),
                bad("stream not boolean", "{" + MODEL + "," + MSG + ",\"stream\":\"yes\"}", 400, "invalid_type", "stream"),
                bad("stream_options without stream", "{" + MODEL + "," + MSG + ",\"stream_options\":{\"include_usage\":"
                        + "true}}", 400, "invalid_value", "stream_options"),
                bad("tools not an array", "{" + MODEL + "," + MSG + ",\"tools\":{\"type\":\"function\"}}", 400,
                        "invalid_type", "tools"),
                bad("tool without a function", "{" + MODEL + "," + MSG + ",\"tools\":[{\"type\":\"function\"}]}", 400,
                        "missing_required_parameter", "tools[0].function"),
                bad("tool function without a name", "{" + MODEL + "," + MSG + ",\"tools\":[{\"type\":\"function\","
                        + "\"function\":{\"parameters\":{}}}]}", 400, "invalid_value", "tools[0].function.name"),
                bad("unknown tool_choice", "{" + MODEL + "," + MSG + ",\"tool_choice\":\"sometimes\"}", 400,
                        "invalid_value", "tool_choice"),
                bad("parallel_tool_calls not boolean", "{" + MODEL + "," + MSG + ",\"parallel_tool_calls\":1}", 400,
                        "invalid_type", "parallel_tool_calls"),
                bad("unknown response_format type", "{" + MODEL + "," + MSG + ",\"response_format\":{\"type\":\"yaml\"}}",
                        400, "invalid_value", "response_format.type"),
                bad("json_schema without a schema object", "{" + MODEL + "," + MSG + ",\"response_format\":{\"type\":"
                        + "\"json_schema\"}}", 400, "missing_required_parameter", "response_format.json_schema"),
                bad("logprobs not boolean", "{" + MODEL + "," + MSG + ",\"logprobs\":\"yes\"}", 400, "invalid_type",
                        "logprobs"),
                bad("top_logprobs without logprobs", "{" + MODEL + "," + MSG + ",\"top_logprobs\":3}", 400,
                        "invalid_value", "top_logprobs"),
                bad("top_logprobs above 20", "{" + MODEL + "," + MSG + ",\"logprobs\":true,\"top_logprobs\":21}", 400,
                        "invalid_value", "top_logprobs"),
                bad("logit_bias out of range", "{" + MODEL + "," + MSG + ",\"logit_bias\":{\"50256\":101}}", 400,
                        "invalid_value", "logit_bias.50256"),
                bad("frequency penalty out of range", "{" + MODEL + "," + MSG + ",\"frequency_penalty\":3}", 400,
                        "invalid_value", "frequency_penalty"),
                bad("presence penalty a string", "{" + MODEL + "," + MSG + ",\"presence_penalty\":\"1\"}", 400,
                        "invalid_type", "presence_penalty"),
                bad("user not a string", "{" + MODEL + "," + MSG + ",\"user\":{}}", 400, "invalid_type", "user"));
    }

    static Stream<Arguments> badCompletionRequests() {
        return Stream.of(
                bad("not JSON", "hello", 400, "invalid_json", null),
                bad("missing model", "{\"prompt\":\"x\"}", 400, "missing_required_parameter", "model"),
                bad("missing prompt", "{" + MODEL + "}", 400, "missing_required_parameter", "prompt"),
                bad("prompt an object", "{" + MODEL + ",\"prompt\":{\"text\":\"x\"}}", 400, "invalid_type", "prompt"),
                bad("prompt an empty array", "{" + MODEL + ",\"prompt\":[]}", 400, "empty_array", "prompt"),
                bad("prompt mixing strings and tokens", "{" + MODEL + ",\"prompt\":[\"a\",7]}", 400, "invalid_type",
                        "prompt[1]"),
                bad("suffix a number", "{" + MODEL + ",\"prompt\":\"x\",\"suffix\":5}", 400, "invalid_type", "suffix"),
                bad("logprobs a boolean", "{" + MODEL + ",\"prompt\":\"x\",\"logprobs\":true}", 400, "invalid_type",
                        "logprobs"),
                bad("logprobs too many", "{" + MODEL + ",\"prompt\":\"x\",\"logprobs\":21}", 400, "invalid_value",
                        "logprobs"),
                bad("echo a string", "{" + MODEL + ",\"prompt\":\"x\",\"echo\":\"yes\"}", 400, "invalid_type", "echo"),
                bad("best_of below n", "{" + MODEL + ",\"prompt\":\"x\",\"n\":3,\"best_of\":2}", 400, "invalid_value",
                        "best_of"),
                bad("stream_options without stream", "{" + MODEL + ",\"prompt\":\"x\",\"stream_options\":"
                        + "{\"include_usage\":true}}", 400, "invalid_value", "stream_options"),
                bad("unknown model", "{\"model\":\"nope\",\"prompt\":\"x\"}", 404, "model_not_found", "model"));
    }

    static Stream<Arguments> badEmbeddingRequests() {
        return Stream.of(
                bad("not JSON", "hello", 400, "invalid_json", null),
                bad("missing input", "{" + MODEL + "}", 400, "missing_required_parameter", "input"),
                bad("input an object", "{" + MODEL + ",\"input\":{\"text\":\"x\"}}", 400, "invalid_type", "input"),
                bad("input a number", "{" + MODEL + ",\"input\":7}", 400, "invalid_type", "input"),
                bad("input an empty token list", "{" + MODEL + ",\"input\":[[1],[]]}", 400, "invalid_type", "input[1]"),
                bad("negative token id", "{" + MODEL + ",\"input\":[1,-2]}", 400, "invalid_type", "input[1]"),
                bad("unknown encoding_format", "{" + MODEL + ",\"input\":\"x\",\"encoding_format\":\"int8\"}", 400,
                        "invalid_value", "encoding_format"),
                bad("encoding_format a number", "{" + MODEL + ",\"input\":\"x\",\"encoding_format\":1}", 400,
                        "invalid_type", "encoding_format"),
                bad("dimensions zero", "{" + MODEL + ",\"input\":\"x\",\"dimensions\":0}", 400, "invalid_value",
                        "dimensions"),
                bad("unknown model", "{\"model\":\"nope\",\"input\":\"x\"}", 404, "model_not_found", "model"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCompletionRequests")
    void completions_refuseBadInputAndChangeNothing(String name, byte[] body, int status, String code, String param) {
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(body)
                .post("/v1/completions"), status, code, param);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEmbeddingRequests")
    void embeddings_refuseBadInputAndChangeNothing(String name, byte[] body, int status, String code, String param) {
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(body)
                .post("/v1/embeddings"), status, code, param);
    }

    private static Arguments bad(String name, String body, int status, String code, String param) {
        return Arguments.of(name, body.getBytes(StandardCharsets.UTF_8), status, code, param);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChatRequests")
    void chatCompletions_refusesBadInputAndChangesNothing(String name, byte[] body, int status, String code,
            String param) {
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(body)
                .post("/v1/chat/completions"), status, code, param);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChatRequests")
    void jobs_refusesBadInputAndChangesNothing(String name, byte[] body, int status, String code, String param) {
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(body).post("/v1/jobs"),
                status, code, param);
    }

    @org.junit.jupiter.api.Test
    void invalidUtf8_isRefused() {
        byte[] body = ("{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":\"\u0000X\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        // Replace the placeholder with an invalid UTF-8 sequence (a lone continuation byte).
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                body[i] = (byte) 0xC3;
                body[i + 1] = (byte) 0x28;
            }
        }
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(body)
                .post("/v1/chat/completions"), 400, "invalid_encoding", null);
    }

    @org.junit.jupiter.api.Test
    void oversizedBody_isRefusedWith413() {
        String big = "{" + MODEL + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(300_000) + "\"}]}";
        assertRefusedWithoutSideEffects(() -> given().contentType("application/json").body(big)
                .post("/v1/chat/completions"), 413, "request_too_large", null);
    }

    @org.junit.jupiter.api.Test
    void nonJsonContentType_isRefusedWith415() {
        assertRefusedWithoutSideEffects(() -> given().contentType("text/xml").body("<chat/>")
                .post("/v1/chat/completions"), 415, "unsupported_media_type", null);
    }

    @org.junit.jupiter.api.Test
    void badWaitParameter_isRefused() {
        assertRefusedWithoutSideEffects(() -> given().get("/v1/jobs/job_00000000000000000000000000?wait=-1"), 400,
                "invalid_value", "wait");
        assertRefusedWithoutSideEffects(() -> given().get("/v1/jobs/job_00000000000000000000000000?wait=soon"), 400,
                "invalid_value", "wait");
    }

    @org.junit.jupiter.api.Test
    void pathTraversalInJobIds_isRefused() {
        assertRefusedWithoutSideEffects(() -> given().urlEncodingEnabled(false).get("/v1/jobs/..%2F..%2Fetc%2Fpasswd"),
                400, null, null);
        assertRefusedWithoutSideEffects(() -> given().urlEncodingEnabled(false).delete("/v1/jobs/job_%00"), 400, null,
                null);
    }

    private static void assertRefusedWithoutSideEffects(java.util.function.Supplier<Response> call, int status,
            String code, String param) {
        int jobsBefore = IntakeFixture.storedJobs();

        Response response = call.get();

        response.then().statusCode(status)
                .body("$", hasKey("error"))
                .body("error.message", not(emptyOrNullString()))
                .body("error.type", not(emptyOrNullString()))
                .body("error", hasKey("param"))
                .body("error", hasKey("code"));
        if (code != null) {
            response.then().body("error.code", equalTo(code));
        }
        if (param != null) {
            response.then().body("error.param", anyOf(equalTo(param)));
        }
        assertThat(IntakeFixture.storedJobs()).as("jobs stored").isEqualTo(jobsBefore);
        assertThat(IntakeFixture.queuedMessages()).as("messages queued").isZero();
    }
}
