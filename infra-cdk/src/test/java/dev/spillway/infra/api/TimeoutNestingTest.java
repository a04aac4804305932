package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The limits around an intake request, read from the synthesized template (not from the Java constants that made
 * it): an accepted request must always be answered by the intake, never cut off with a 5xx; a stream ends with its
 * function, and the concurrency reserved for the intake holds every stream the stage admits.
 */
class TimeoutNestingTest {

    private static Map<String, Object> intake;
    private static List<Map<String, Object>> proxyMethods;
    private static Map<String, Object> stageThrottle;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void synthesize() {
        Template template = DeployedApp.template(DeployedApp.stacks().api());
        List<Map<String, Object>> intakes = template.findResources("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Properties", Match.objectLike(Map.of("Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_INTAKE_MAX_WAIT", Match.anyValue())))))))).values().stream()
                .map(function -> (Map<String, Object>) ((Map<String, Object>) function).get("Properties"))
                .toList();
        assertThat(intakes).as("exactly one function carries the intake's wait budget").hasSize(1);
        intake = intakes.get(0);
        proxyMethods = template.findResources("AWS::ApiGateway::Method").values().stream()
                .map(method -> (Map<String, Object>) ((Map<String, Object>) method).get("Properties"))
                .filter(method -> String.valueOf(method.get("Integration")).contains("IntakeLive"))
                .toList();
        assertThat(proxyMethods).as("the root and {proxy+} methods").hasSize(2);
        List<Object> stages = List.copyOf(template.findResources("AWS::ApiGateway::Stage").values());
        assertThat(stages).hasSize(1);
        List<Map<String, Object>> settings = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                stages.get(0)).get("Properties")).get("MethodSettings");
        stageThrottle = settings.get(0);
    }

    @Test
    void waitBudget_plusRestoreAndTheCallsOutsideIt_endsBeforeApiGatewayOrLambdaCutTheRequest() {
        int integrationTimeout = proxyMethods.stream().mapToInt(TimeoutNestingTest::integrationTimeoutSeconds).min()
                .orElseThrow();
        int lambdaTimeout = ((Number) intake.get("Timeout")).intValue();
        boolean snapStart = intake.containsKey("SnapStart");
        int maxWait = envSeconds("SPILLWAY_INTAKE_MAX_WAIT");
        int defaultWait = envSeconds("SPILLWAY_INTAKE_DEFAULT_WAIT");
        int dynamoCall = envSeconds("QUARKUS_DYNAMODB_API_CALL_TIMEOUT");
        int sqsCall = envSeconds("QUARKUS_SQS_API_CALL_TIMEOUT");
        // A SnapStart restore (or a native cold start, for which the same allowance is kept) happens first.
        int restore = IntakeTimeouts.RESTORE_ALLOWANCE_SECONDS;

        IntakeTimeouts synthesized = new IntakeTimeouts(integrationTimeout, lambdaTimeout, restore, dynamoCall,
                sqsCall, maxWait, defaultWait);

        assertThat(snapStart).as("the JVM intake restores from a SnapStart snapshot").isTrue();
        assertThat(synthesized.validate()).isEmpty();
        // the same, spelled out: key lookup before the wait and the job's last read after it are DynamoDB calls
        assertThat(maxWait + restore + 2 * dynamoCall).isLessThan(Math.min(integrationTimeout, lambdaTimeout));
        assertThat(defaultWait).isLessThanOrEqualTo(maxWait);
        assertThat(sqsCall).as("the send happens inside the wait budget").isLessThan(maxWait);
    }

    @Test
    void aStream_endsWithItsFunction_withinWhatApiGatewayAndLambdaAllow() {
        int lambdaTimeout = ((Number) intake.get("Timeout")).intValue();

        assertThat(proxyMethods).allSatisfy(method -> {
            assertThat(String.valueOf(method.get("Integration"))).contains("ResponseTransferMode=STREAM");
            // past 29 s only a streaming integration may go; the function must not outlive it
            assertThat(integrationTimeoutSeconds(method)).isGreaterThan(29)
                    .isGreaterThanOrEqualTo(lambdaTimeout)
                    .isLessThanOrEqualTo(IntakeTimeouts.MAX_STREAM_SECONDS);
        });
        assertThat(lambdaTimeout).isGreaterThan(envSeconds("SPILLWAY_INTAKE_MAX_WAIT"));
    }

    @Test
    void everyRequestTheStageAdmits_fitsTheIntakesReservation_evenIfEachStreamsUntilItsFunctionEnds() {
        int reserved = ((Number) intake.get("ReservedConcurrentExecutions")).intValue();
        int lambdaTimeout = ((Number) intake.get("Timeout")).intValue();
        int rate = ((Number) stageThrottle.get("ThrottlingRateLimit")).intValue();
        int burst = ((Number) stageThrottle.get("ThrottlingBurstLimit")).intValue();

        // Little's law at its worst: everything admitted within one stream limit still streaming at its end
        assertThat(burst + rate * lambdaTimeout).isLessThanOrEqualTo(reserved);
    }

    @Test
    void validation_namesTheLargestWaitThatWouldNest() {
        IntakeTimeouts tooLong = IntakeTimeouts.of(30, 25, 25);

        assertThat(tooLong.validate()).singleElement().asString()
                .contains("maxWaitSeconds 25 does not nest")
                .contains("the largest wait that nests is 21 s");
        assertThat(IntakeTimeouts.withWaits(20, 25).validate()).singleElement().asString()
                .contains("defaultWaitSeconds 25");
        assertThat(IntakeTimeouts.withWaits(IntakeTimeouts.DEFAULT_MAX_WAIT_SECONDS,
                IntakeTimeouts.DEFAULT_MAX_WAIT_SECONDS).validate()).isEmpty();
    }

    @Test
    void validation_refusesAStreamLimitPast15Minutes_andAFunctionThatOutlivesItsIntegration() {
        assertThat(IntakeTimeouts.of(901, 20, 20).validate()).singleElement().asString()
                .contains("maxStreamSeconds 901 is over 900 s");
        assertThat(new IntakeTimeouts(60, 120, 2, 3, 3, 20, 20).validate()).singleElement().asString()
                .contains("Lambda timeout (120 s) is longer than the integration timeout (60 s)");
    }

    @SuppressWarnings("unchecked")
    private static int integrationTimeoutSeconds(final Map<String, Object> method) {
        Map<String, Object> integration = (Map<String, Object>) method.get("Integration");
        // API Gateway's default when none is set
        Object millis = integration.getOrDefault("TimeoutInMillis", 29_000);
        return ((Number) millis).intValue() / 1000;
    }

    @SuppressWarnings("unchecked")
    private static int envSeconds(final String name) {
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) intake.get("Environment"))
                .get("Variables");
        Object value = variables.get(name);
        assertThat(value).as(name + " is set on the intake").isInstanceOf(String.class);
        return (int) Duration.parse((String) value).toSeconds();
    }
}
