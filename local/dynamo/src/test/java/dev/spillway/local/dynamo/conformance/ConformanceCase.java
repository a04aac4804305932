package dev.spillway.local.dynamo.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * One conformance case read from {@code src/test/resources/conformance/<area>.json}: setup calls, then one request
 * whose outcome must match {@code expect} on every target. {@code oursOnly} says why dynalite cannot be asked (an API
 * it lacks); such cases follow the DynamoDB API reference and run against our emulator alone.
 *
 * <p>In a file, {@code fixtures} names lists of setup calls that cases reuse with {@code {"fixture": "name"}}.
 * {@code ${T}} and {@code ${T2}} stand for table names unique to the case.
 */
record ConformanceCase(String area, String name, int number, List<Step> setup, Step request, JsonNode expect,
        String oursOnly) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call: the operation, its body (a JSON value, or {@code rawBody} sent verbatim), what it must answer. */
    record Step(String target, JsonNode body, String rawBody, JsonNode expect, JsonNode capture) {

        static Step from(JsonNode node) {
            return new Step(node.path("target").asText(), node.get("body"),
                    node.has("rawBody") ? node.get("rawBody").asText() : null, node.get("expect"),
                    node.get("capture"));
        }
    }

    String tableName() {
        return "cf%04d".formatted(number);
    }

    String displayName() {
        return "[" + area + "] " + name;
    }

    static List<ConformanceCase> loadAll(Path directory) {
        try (var files = Files.list(directory)) {
            List<Path> sorted = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            List<ConformanceCase> cases = new ArrayList<>();
            for (Path file : sorted) {
                cases.addAll(load(file, cases.size()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ConformanceCase> load(Path file, int firstNumber) throws IOException {
        String area = file.getFileName().toString().replace(".json", "");
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode fixtures = root.path("fixtures");
        List<ConformanceCase> cases = new ArrayList<>();
        for (JsonNode node : root.path("cases")) {
            List<Step> setup = new ArrayList<>();
            for (JsonNode step : node.path("setup")) {
                if (step.has("fixture")) {
                    JsonNode fixture = fixtures.get(step.get("fixture").asText());
                    if (!(fixture instanceof ArrayNode steps)) {
                        throw new IllegalArgumentException(file + ": no fixture " + step.get("fixture"));
                    }
                    steps.forEach(s -> setup.add(Step.from(s)));
                } else {
                    setup.add(Step.from(step));
                }
            }
            String name = node.path("name").asText();
            if (name.isEmpty() || !node.has("request") || !node.has("expect")) {
                throw new IllegalArgumentException(file + ": a case needs name, request and expect: " + node);
            }
            String oursOnly = node.has("ours_only") ? node.get("ours_only").asText() : null;
            if (oursOnly == null && root.has("ours_only")) {
                oursOnly = root.get("ours_only").asText();
            }
            cases.add(new ConformanceCase(area, name, firstNumber + cases.size(), List.copyOf(setup),
                    Step.from(node.get("request")), node.get("expect"), oursOnly));
        }
        return cases;
    }
}
