package dev.spillway.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;

/** Properties of request parsing that must hold for every input, not just the cases we thought of. */
class ChatRequestParserPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ChatRequestParser parser = new ChatRequestParser(Set.of("m")::contains, 4096);

    @Property(tries = 500)
    void anyBytes_parseOrAreRefusedWithAClientError(@ForAll byte[] body) {
        Throwable thrown = catchThrowable(() -> parser.parse(body));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ApiException.class);
            assertThat(((ApiException) thrown).status()).isBetween(400, 499);
        }
    }

    @Property(tries = 500)
    void anyJsonText_parsesOrIsRefusedWithAClientError(@ForAll("jsonish") String body) {
        Throwable thrown = catchThrowable(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8)));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ApiException.class);
            assertThat(((ApiException) thrown).status()).isBetween(400, 499);
            assertThat(((ApiException) thrown).toBody().error().message()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void validRequests_roundTripThroughJson(@ForAll("validRequests") ChatCompletionRequest request) throws Exception {
        ObjectNode node = JSON.valueToTree(request);

        ChatCompletionRequest parsed = parser.parse(JSON.writeValueAsBytes(node));

        assertThat(parsed).isEqualTo(request);
    }

    @Property(tries = 200)
    void temperatureOutsideZeroToTwo_isRefusedNamingIt(
            @ForAll @DoubleRange(min = -1e6, max = 1e6) double temperature) throws Exception {
        ObjectNode node = JSON.createObjectNode().put("model", "m").put("temperature", temperature);
        ArrayNode messages = node.putArray("messages");
        messages.addObject().put("role", "user").put("content", "x");

        Throwable thrown = catchThrowable(() -> parser.parse(JSON.writeValueAsBytes(node)));

        if (temperature >= 0 && temperature <= 2) {
            assertThat(thrown).isNull();
        } else {
            assertThat(thrown).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.toBody().error().param()).isEqualTo("temperature"));
        }
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"model\"", "\"m\"", "\"messages\"",
                "\"role\"", "\"user\"", "\"content\"", "\"x\"", "1", "-1", "1.5", "1e309", "null", "true", "\"temperature\"",
                "\"max_tokens\"", "\"stop\"", "\"n\"", "\"stream\"", "\"\\u0000\"", " ");
        return fragments.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<ChatCompletionRequest> validRequests() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(50)
                .filter(s -> s.indexOf('\uFFFD') < 0 && s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
        Arbitrary<ChatMessage> message = Combinators.combine(
                Arbitraries.of("system", "developer", "user", "assistant"), text)
                .as(ChatMessage::of);
        Arbitrary<Double> temperature = Arbitraries.doubles().between(0, 2).injectNull(0.3);
        Arbitrary<Double> topP = Arbitraries.doubles().between(0, 1).injectNull(0.3);
        Arbitrary<Integer> maxTokens = Arbitraries.integers().between(1, 4096).injectNull(0.3);
        Arbitrary<Long> seed = Arbitraries.longs().injectNull(0.5);
        Arbitrary<List<String>> stop = text.filter(s -> !s.isEmpty()).list().ofMinSize(1).ofMaxSize(4).injectNull(0.5);
        return Combinators.combine(message.list().ofMinSize(1).ofMaxSize(5), temperature, topP, maxTokens, seed, stop)
                .as((messages, t, p, max, s, st) -> new ChatCompletionRequest("m", messages, t, p, max, s, st, null));
    }
}
