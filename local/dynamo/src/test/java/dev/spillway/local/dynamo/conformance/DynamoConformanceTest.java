package dev.spillway.local.dynamo.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.spillway.local.dynamo.DynamoEmulator;
/**
 * The conformance suite: every case in {@code src/test/resources/conformance/*.json} is played against dynalite (the
 * reference) and against our emulator, one server each for the whole suite. On each, the outcome must meet the case's
 * expectation; on ours it must also equal dynalite's outcome (status, error type, body without volatile fields, and the
 * message where the case pins it). A failure prints the expectation and both outcomes one above the other. Cases marked
 * {@code ours_only} cover APIs dynalite lacks and run against our emulator alone.
 */
class DynamoConformanceTest {

    private static final Path DYNALITE_DIR = Path.of(System.getProperty("spillway.dynalite.dir", "src/test/dynalite"));

    private static DynaliteServer dynalite;
    private static DynamoEmulator ours;
    private static DynamoWire dynaliteWire;
    private static DynamoWire oursWire;
    /** dynalite's outcome per case, shown beside ours when they differ. */
    private static final Map<String, Outcome> REFERENCE = new ConcurrentHashMap<>();

    @BeforeAll
    static void startBothServers() throws Exception {
        dynalite = DynaliteServer.start(DYNALITE_DIR, Path.of("target", "dynalite.log"));
        dynaliteWire = new DynamoWire(dynalite.endpoint());
        ours = DynamoEmulator.builder().host("127.0.0.1").port(0).build().start();
        oursWire = new DynamoWire(ours.endpoint());
    }

    @AfterAll
    static void stopBothServers() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @TestFactory
    Stream<DynamicNode> everyCaseAgreesWithTheReference() throws URISyntaxException {
        Path casesDir = Path.of(Objects.requireNonNull(getClass().getResource("/conformance")).toURI());
        List<ConformanceCase> cases = ConformanceCase.loadAll(casesDir);
        assertThat(cases).as("conformance cases in " + casesDir).isNotEmpty();
        return cases.stream().map(DynamoConformanceTest::testsOf);
    }

    private static DynamicNode testsOf(ConformanceCase testCase) {
        List<DynamicTest> tests = new ArrayList<>();
        if (testCase.oursOnly() == null) {
            tests.add(DynamicTest.dynamicTest("dynalite", () -> onDynalite(testCase)));
            tests.add(DynamicTest.dynamicTest("ours", () -> onOurs(testCase)));
        } else {
            tests.add(DynamicTest.dynamicTest("ours (ours only: " + testCase.oursOnly() + ")", () -> onOurs(testCase)));
        }
        return DynamicContainer.dynamicContainer(testCase.displayName(), tests);
    }

    private static void onDynalite(ConformanceCase testCase) {
        Outcome outcome = ordered(testCase, CaseRunner.run(testCase, dynaliteWire));
        REFERENCE.put(testCase.displayName(), outcome);
        assertMeetsExpectation(testCase, "dynalite", outcome, null);
    }

    private static void onOurs(ConformanceCase testCase) {
        Outcome outcome = ordered(testCase, CaseRunner.run(testCase, oursWire));
        Outcome reference = REFERENCE.get(testCase.displayName());
        assertMeetsExpectation(testCase, "ours", outcome, reference);
        if (reference != null) {
            boolean messagePinned = testCase.expect().has("message");
            assertThat(outcome.sameAs(reference, messagePinned))
                    .as(sideBySide(testCase, "ours differs from dynalite", outcome, reference)).isTrue();
        }
    }

    private static void assertMeetsExpectation(ConformanceCase testCase, String target, Outcome outcome,
            Outcome reference) {
        JsonNode expect = CaseRunner.expectation(testCase);
        List<String> problems = Expectation.mismatches(expect, outcome, operationOf(testCase));
        assertThat(problems).as(sideBySide(testCase, target + " misses the expectation " + problems, outcome,
                reference)).isEmpty();
    }

    /** {@code "unorderedItems": true}: DynamoDB promises no order here (index items sharing a hash key, say). */
    private static Outcome ordered(ConformanceCase testCase, Outcome outcome) {
        return testCase.expect().path("unorderedItems").asBoolean() ? outcome.withItemsSorted() : outcome;
    }

    private static String operationOf(ConformanceCase testCase) {
        String target = testCase.request().target();
        return target.substring(target.indexOf('.') + 1);
    }

    private static String sideBySide(ConformanceCase testCase, String headline, Outcome ours, Outcome reference) {
        return testCase.displayName() + ": " + headline
                + "\n--- expected ---\n" + CaseRunner.expectation(testCase)
                + "\n--- this target ---\n" + ours
                + (reference == null ? "" : "\n--- dynalite ---\n" + reference) + "\n";
    }
}
