package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.queuedMessages;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.local.emulators.ScriptedUpstream;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Drop-in means faithful: every field a client sends reaches the upstream, and the upstream's answer (DeepSeek's
 * {@code reasoning_content}, {@code system_fingerprint}, cache-hit usage, tool calls, logprobs, fields no one knows
 * yet) reaches the client as it was given, on the direct lane and from the cache. Against a real HTTP upstream on
 * loopback ({@link ScriptedUpstream}).
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@QuarkusTestResource(value = DirectLaneUpstreams.class, restrictToAnnotatedClass = true)
class PassThroughTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    /** A request using every field OpenAI and DeepSeek define, a conversation with a tool turn, and unknown fields. */
    private static String everyField(String content, String extra) {
        return """
                {"model":"direct-model","messages":[
                  {"role":"system","content":"You call tools."},
                  {"role":"user","content":[{"type":"text","text":"earlier"},{"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"low"}}]},
                  {"role":"assistant","content":null,"reasoning_content":"think","tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Bergen\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_9","content":"rain"},
                  {"role":"user","content":"%s"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,
                 "response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,
                   "schema":{"type":"object","properties":{"city":{"type":"string"}}}}},
                 "logprobs":true,"top_logprobs":2,"n":1,"presence_penalty":0.25,"frequency_penalty":-0.5,
                 "logit_bias":{"50256":-100},"seed":42,"stop":["\\n\\n"],"user":"user-7","max_completion_tokens":64,
                 "reasoning_effort":"high","thinking":{"type":"enabled","budget_tokens":1024},
                 "x_vendor_option":[1,2.5,{"deep":null}]%s}""".formatted(content, extra);
    }

    @Test
    void directLane_forwardsEveryFieldAndReturnsTheUpstreamsAnswerAsItWasGiven() throws Exception {
        // GIVEN a request with every field, for an upstream that answers with every field
        String request = everyField("rich: direct", "");
        int jobsBefore = storedJobs();

        // WHEN
        Response response = post(request);

        // THEN the upstream received the request as the client wrote it
        assertThat(JSON.readTree(DirectLaneUpstreams.a().lastBody("rich: direct"))).isEqualTo(JSON.readTree(request));
        // AND the client received the upstream's answer as it was given, but for the model it asked for
        response.then().statusCode(200).header("X-Spillway-Lane", "direct");
        assertThat(JSON.readTree(response.asByteArray())).isEqualTo(richAnswerAs("direct-model"));
        response.then()
                .body("system_fingerprint", equalTo("fp_deep_1"))
                .body("choices[0].message.reasoning_content", equalTo("The user wants the weather, so call the tool."))
                .body("choices[0].message.tool_calls[0].function.name", equalTo("get_weather"))
                .body("choices[0].logprobs.content[0].top_logprobs[0].token", equalTo("Hi"))
                .body("usage.prompt_cache_hit_tokens", equalTo(8));
        // AND nothing was queued
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void cacheHit_replaysTheWholeAnswerAsTheUpstreamGaveIt() throws Exception {
        // GIVEN a deterministic request (a seed) answered once on the direct lane
        String request = everyField("rich: cached", "");
        Response first = post(request);
        first.then().statusCode(200).header("X-Spillway-Cache", "miss");

        // WHEN the same request comes again
        Response second = post(request);

        // THEN the cache answers with the same JSON, every field kept, and the upstream is not called again
        second.then().statusCode(200).header("X-Spillway-Lane", "cache");
        assertThat(second.header("X-Spillway-Cache")).startsWith("hit-");
        assertThat(JSON.readTree(second.asByteArray())).isEqualTo(JSON.readTree(first.asByteArray()))
                .isEqualTo(richAnswerAs("direct-model"));
        assertThat(DirectLaneUpstreams.a().calls("rich: cached")).isEqualTo(1);
    }

    @Test
    void cacheKey_coversFieldsThatChangeTheAnswer_unknownOnesIncluded() {
        // GIVEN an answered deterministic request
        post(everyField("rich: keyed", "")).then().statusCode(200);

        // WHEN one that differs only in an unknown field comes
        Response other = post(everyField("rich: keyed", ",\"x_other\":true"));

        // THEN it is not answered from the cache
        other.then().statusCode(200).header("X-Spillway-Cache", "miss").header("X-Spillway-Lane", "direct");
        assertThat(DirectLaneUpstreams.a().calls("rich: keyed")).isEqualTo(2);
    }

    @Test
    void aModelServedByLlamaCpp_refusesToolsWith400NamingTheFieldAndTheModel_andStoresNothing() {
        // GIVEN
        int jobsBefore = storedJobs();

        // WHEN
        Response response = given().contentType(ContentType.JSON).body("""
                {"model":"tiny-model","messages":[{"role":"user","content":"weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather"}}]}""").post("/v1/chat/completions");

        // THEN
        response.then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("unsupported_parameter"))
                .body("error.param", equalTo("tools"));
        assertThat(response.jsonPath().getString("error.message")).contains("tiny-model");
        assertThat(storedJobs()).isEqualTo(jobsBefore);
        assertThat(queuedMessages()).isZero();
    }

    @Test
    void aModelServedByLlamaCpp_acceptsJsonOutput() {
        // WHEN a JSON-schema request for the llama.cpp model is submitted (and queued: no worker runs here)
        Response response = given().contentType(ContentType.JSON).header("Prefer", "respond-async").body("""
                {"model":"tiny-model","messages":[{"role":"user","content":"yes or no?"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                   "schema":{"type":"string","enum":["yes","no"]}}}}""").post("/v1/chat/completions");

        // THEN it is accepted as a job
        response.then().statusCode(202);
    }

    private static JsonNode richAnswerAs(String model) throws Exception {
        ObjectNode answer = (ObjectNode) JSON.readTree(ScriptedUpstream.RICH_COMPLETION);
        answer.put("model", model);
        return answer;
    }

    private static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/chat/completions");
    }
}
