package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.IamMatchers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ApiStackTest {

    private static Template template;

    @BeforeAll
    static void synthesize() {
        template = DeployedApp.template(DeployedApp.stacks().api());
    }

    @Test
    void intake_runsQuarkusOnJava21WithSnapStartInTheVpc() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Runtime", "java21",
                "Handler", "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest",
                "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                "Timeout", 30,
                "VpcConfig", Match.objectLike(Map.of(
                        "SecurityGroupIds", List.of(Match.objectLike(Map.of("Fn::ImportValue",
                                Match.stringLikeRegexp(".*IntakeSecurityGroup.*")))))))));
    }

    @Test
    void intake_getsTheRuntimeContract() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_JOBS_TABLE", Match.anyValue(),
                        "SPILLWAY_QUEUES_INTERACTIVE_URL", Match.anyValue(),
                        "SPILLWAY_QUEUES_INTERACTIVE_DLQ_URL", Match.anyValue(),
                        "SPILLWAY_QUEUES_STANDARD_URL", Match.anyValue(),
                        "SPILLWAY_QUEUES_STANDARD_DLQ_URL", Match.anyValue(),
                        "SPILLWAY_QUEUES_BATCH_URL", Match.anyValue(),
                        "SPILLWAY_QUEUES_BATCH_DLQ_URL", Match.anyValue(),
                        "QUARKUS_REDIS_HOSTS", Map.of("Fn::Join", List.of("", List.of(
                                "rediss://", Match.anyValue(), ":", Match.anyValue())))))))));
    }

    @Test
    void intake_getsItsTablesAndTheServedModelName() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        // the tables live in SpillwayData: their names arrive as imports of its exports
                        "SPILLWAY_JOBS_IDEMPOTENCY_TABLE", dataExport("RefIdempotencyTable"),
                        "SPILLWAY_AUTH_KEYS_TABLE", dataExport("RefApiKeysTable"),
                        "SPILLWAY_BATCHES_TABLE", dataExport("RefBatchesTable"),
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", "deepseek-r1-distill-qwen-7b",
                        "SPILLWAY_MODELS_DEFAULT_ENGINE", "openai"))))));
    }

    @Test
    void intake_getsNoWorkerOnlySettings() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_MODELS_DEFAULT_SERVED_NAME", Match.anyValue(),
                        "SPILLWAY_MODELS_DEFAULT_BASE_URL", Match.absent(),
                        "SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL", Match.absent(),
                        "SPILLWAY_WORKER_CONCURRENCY", Match.absent()))))));
    }

    @Test
    void intake_mayRecordReadAndDeleteIdempotencyKeys() {
        // TransactWriteItems has no IAM action of its own: each Put in the transaction needs dynamodb:PutItem
        // (and a ConditionCheck dynamodb:ConditionCheckItem) on its table.
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("IntakeServiceRole.*"))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Effect", "Allow",
                                "Action", Match.arrayWith(List.of("dynamodb:ConditionCheckItem",
                                        "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem")),
                                "Resource", Match.arrayWith(List.of(dataExport("FnGetAttIdempotencyTable.*Arn"))))))))))));
    }

    @Test
    void intake_mayRecordReadAndQueryBatches() {
        List<String> batchActions = actionsOn("BatchesTable");
        assertThat(batchActions).contains("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem");
    }

    @Test
    void intake_readsApiKeysButCannotWriteThem() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("IntakeServiceRole.*"))),
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Effect", "Allow",
                                "Action", Match.arrayWith(List.of("dynamodb:GetItem")),
                                "Resource", dataExport("FnGetAttApiKeysTable.*Arn"))))))))));

        List<String> keyActions = actionsOn("ApiKeysTable");
        assertThat(keyActions).contains("dynamodb:GetItem");
        assertThat(keyActions).allMatch(READ_ACTIONS::contains, "a read action")
                .doesNotContain("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                        "dynamodb:BatchWriteItem");
    }

    @Test
    void apiGateway_invokesTheLiveAliasOfAPublishedVersion() {
        // the intake's and the four event-source functions'
        template.resourceCountIs("AWS::Lambda::Version", 5);
        template.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "live")));
        template.hasResourceProperties("AWS::ApiGatewayV2::Integration", Match.objectLike(Map.of(
                "IntegrationType", "AWS_PROXY",
                "PayloadFormatVersion", "2.0",
                "IntegrationUri", Map.of("Ref", Match.stringLikeRegexp("IntakeLive.*")))));
    }

    @Test
    void httpApi_proxiesEveryPathAndMethod() {
        template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
        template.hasResourceProperties("AWS::ApiGatewayV2::Api", Match.objectLike(Map.of("ProtocolType", "HTTP")));
        template.resourceCountIs("AWS::ApiGatewayV2::Route", 1);
        template.hasResourceProperties("AWS::ApiGatewayV2::Route", Match.objectLike(Map.of(
                "RouteKey", "ANY /{proxy+}")));
    }

    @Test
    void defaultStage_logsAccessAndThrottles() {
        template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
        template.hasResourceProperties("AWS::ApiGatewayV2::Stage", Match.objectLike(Map.of(
                "StageName", "$default",
                "AutoDeploy", true,
                "AccessLogSettings", Match.objectLike(Map.of(
                        "DestinationArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("AccessLogs.*"), "Arn")),
                        "Format", Match.stringLikeRegexp(".*requestId.*"))),
                "DefaultRouteSettings", Map.of("ThrottlingRateLimit", 100, "ThrottlingBurstLimit", 200))));
    }

    @Test
    void endpointUrl_isAnOutput() {
        template.hasOutput("ApiEndpoint", Match.objectLike(Map.of("Value", Match.anyValue())));
    }

    @Test
    void intake_mayWriteJobsReadKeysAndSendToTheTierQueuesOnly() {
        template.hasResourceProperties("AWS::IAM::Policy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Action", Match.arrayWith(List.of("dynamodb:PutItem", "dynamodb:UpdateItem")),
                                "Resource", Match.arrayWith(List.of(Map.of("Fn::ImportValue",
                                        Match.stringLikeRegexp(".*JobsTable.*")))))))))))));
        for (String tier : List.of("Interactive", "Standard", "Batch")) {
            template.hasResourceProperties("AWS::IAM::Policy", sendStatementOn(tierQueue(tier)));
        }
        assertThat(template.findResources("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Properties", sendStatementOn(Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*Dlq.*")))))))
                .as("the intake never sends to a dead-letter queue")
                .allSatisfy((id, policy) -> assertThat(String.valueOf(policy)).doesNotContain("IntakeServiceRole"));
    }

    @Test
    void noSqsOrDynamoDbStatement_targetsEveryResource() {
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("sqs:.*"))).isEmpty();
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("dynamodb:.*")))
                .isEmpty();
    }

    private static final List<String> READ_ACTIONS = List.of("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            "dynamodb:Query", "dynamodb:Scan");

    /** An import of one of SpillwayData's exports, e.g. {@code RefApiKeysTable} (a table's name). */
    private static Object dataExport(final String exportRegexp) {
        return Map.of("Fn::ImportValue", Match.stringLikeRegexp("SpillwayData:ExportsOutput" + exportRegexp + ".*"));
    }

    /** Every action any Allow statement of any policy in the stack grants on a resource mentioning {@code name}. */
    @SuppressWarnings("unchecked")
    private static List<String> actionsOn(final String name) {
        List<String> actions = new java.util.ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().forEach(policy -> {
            Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) policy)
                    .get("Properties")).get("PolicyDocument");
            for (Object item : (List<Object>) document.get("Statement")) {
                Map<String, Object> statement = (Map<String, Object>) item;
                if ("Allow".equals(statement.get("Effect")) && String.valueOf(statement.get("Resource")).contains(name)) {
                    Object action = statement.get("Action");
                    if (action instanceof List<?> list) {
                        list.forEach(a -> actions.add(String.valueOf(a)));
                    } else {
                        actions.add(String.valueOf(action));
                    }
                }
            }
        });
        return actions;
    }

    private static Object sendStatementOn(final Object queueArn) {
        return Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Action", Match.arrayWith(List.of("sqs:SendMessage")),
                                "Resource", Match.arrayWith(List.of(queueArn))))))))));
    }

    /** Export of a tier queue's ARN (its "Resource" child vanishes from the logical id). */
    private static Object tierQueue(final String tier) {
        return Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*GetAttQueues" + tier + "[0-9A-F]{8}Arn.*"));
    }
}
