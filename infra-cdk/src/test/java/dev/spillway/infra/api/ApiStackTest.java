package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.IamMatchers;
import dev.spillway.infra.Policies;
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
    void intake_runsTheQuarkusHttpAppBehindTheWebAdapter_onJava21WithSnapStartInTheVpc() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Runtime", "java21",
                "Handler", "run.sh",
                "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                "Timeout", 120,
                "ReservedConcurrentExecutions", 700,
                "Layers", List.of(webAdapterLayer(27)),
                "TracingConfig", Map.of("Mode", "Active"),
                "VpcConfig", Match.objectLike(Map.of(
                        "SecurityGroupIds", List.of(Match.objectLike(Map.of("Fn::ImportValue",
                                Match.stringLikeRegexp(".*IntakeSecurityGroup.*")))))))));
    }

    @Test
    void intake_webAdapterWrapsTheRuntime_streamsAndWaitsForTheAppOnLoopback() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", "run.sh",
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "AWS_LAMBDA_EXEC_WRAPPER", "/opt/bootstrap",
                        "AWS_LWA_INVOKE_MODE", "response_stream",
                        "AWS_LWA_PORT", "8080",
                        "AWS_LWA_READINESS_CHECK_PATH", "/"))))));
    }

    @Test
    void eventFunctions_stayOnQuarkusLambdaRuntime_withoutTheAdapter() {
        template.resourcePropertiesCountIs("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Handler", "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest",
                "Layers", Match.absent(),
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_LAMBDA_HANDLER", Match.anyValue(),
                        "AWS_LAMBDA_EXEC_WRAPPER", Match.absent(),
                        "AWS_LWA_INVOKE_MODE", Match.absent()))))), 4);
        template.resourcePropertiesCountIs("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Layers", Match.anyValue())), 1);
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
    void intake_getsItsWaitBudgetBodyLimitsAndSdkTimeouts_theEventFunctionsDoNot() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Timeout", 120,
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "SPILLWAY_INTAKE_MAX_WAIT", "PT20S",
                        "SPILLWAY_INTAKE_DEFAULT_WAIT", "PT20S",
                        "SPILLWAY_INTAKE_MAX_BODY_BYTES", "262144",
                        "SPILLWAY_BATCHES_MAX_BODY_BYTES", "5242880",
                        "QUARKUS_DYNAMODB_API_CALL_TIMEOUT", "PT3S",
                        "QUARKUS_SQS_API_CALL_TIMEOUT", "PT3S"))))));
        template.resourcePropertiesCountIs("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_DYNAMODB_API_CALL_TIMEOUT", Match.anyValue()))))), 1);
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
    void intake_recordsReadsAndWithdrawsIdempotencyKeys_only() {
        // TransactWriteItems has no IAM action of its own: each Put in the transaction needs dynamodb:PutItem.
        assertThat(Policies.actionsOf(template, "IntakeServiceRole", "IdempotencyTable"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem");
    }

    @Test
    void intake_createsReadsTransitionsAndWithdrawsJobs_andQueriesOnlyTheBatchIndex() {
        assertThat(Policies.actionsOf(template, "IntakeServiceRole", "JobsTable"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem",
                        "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query");
        assertThat(Policies.resourcesOf(template, "IntakeServiceRole", "dynamodb:Query"))
                .anySatisfy(resource -> assertThat(resource).contains("JobsTable", "/index/batch-index"))
                .noneSatisfy(resource -> assertThat(resource).contains("/index/*"));
    }

    @Test
    void intake_recordsReadsAndListsBatches() {
        assertThat(Policies.actionsOf(template, "IntakeServiceRole", "BatchesTable"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query");
    }

    @Test
    void intake_readsApiKeysByHashOnly() {
        assertThat(Policies.actionsOf(template, "IntakeServiceRole", "ApiKeysTable"))
                .containsExactly("dynamodb:GetItem");
    }

    @Test
    void intake_neverScansNorTouchesTheBucket() {
        String intake = String.join("\n", Policies.of(template, "IntakeServiceRole"));
        assertThat(intake).doesNotContain("dynamodb:Scan", "s3:", "Payloads");
    }

    @Test
    void intake_mayWriteJobsAndSendToTheTierQueuesOnly() {
        for (String tier : List.of("Interactive", "Standard", "Batch")) {
            template.hasResourceProperties("AWS::IAM::Policy", sendStatementOn(tierQueue(tier)));
        }
        assertThat(template.findResources("AWS::IAM::Policy", Match.objectLike(Map.of(
                "Properties", sendStatementOn(Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*Dlq.*")))))))
                .as("the intake never sends to a dead-letter queue")
                .allSatisfy((id, policy) -> assertThat(String.valueOf(policy)).doesNotContain("IntakeServiceRole"));
    }

    @Test
    void restApi_streamsEveryPathAndMethodFromTheLiveAlias_forUpToTheStreamLimit() {
        template.resourceCountIs("AWS::ApiGateway::RestApi", 1);
        template.hasResourceProperties("AWS::ApiGateway::RestApi", Match.objectLike(Map.of(
                "EndpointConfiguration", Map.of("Types", List.of("REGIONAL")))));
        template.hasResourceProperties("AWS::ApiGateway::Resource", Map.of(
                "PathPart", "{proxy+}", "ParentId", Match.anyValue(), "RestApiId", Match.anyValue()));
        // ANY on the root and on {proxy+}: every path under the stage, streamed through InvokeWithResponseStream
        template.resourcePropertiesCountIs("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "HttpMethod", "ANY",
                "Integration", Match.objectLike(Map.of(
                        "Type", "AWS_PROXY",
                        "IntegrationHttpMethod", "POST",
                        "TimeoutInMillis", 120_000,
                        "ResponseTransferMode", "STREAM",
                        "Uri", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                ":lambda:path/2021-11-15/functions/",
                                Map.of("Ref", Match.stringLikeRegexp("IntakeLive.*")),
                                "/response-streaming-invocations")))))))), 2);
        template.resourceCountIs("AWS::ApiGateway::Method", 2);
        // the intake's and the four event-source functions'
        template.resourceCountIs("AWS::Lambda::Version", 5);
    }

    @Test
    void restApi_mayInvokeTheLiveAlias_fromEachOfItsTwoMethods() {
        // InvokeWithResponseStream is authorized by lambda:InvokeFunction
        template.resourcePropertiesCountIs("AWS::Lambda::Permission", Match.objectLike(Map.of(
                "Action", "lambda:InvokeFunction",
                "Principal", "apigateway.amazonaws.com",
                "FunctionName", Map.of("Ref", Match.stringLikeRegexp("IntakeLive.*")))), 2);
    }

    @Test
    void nonStreamingRoutes_keepTheirGuards_behindTheSameStreamingMethods() {
        // one pair of methods serves JSON answers, 202s, job polls and batches as well as SSE: the Web Adapter writes
        // every answer as a stream, so the validator, WAF and API Gateway's own errors apply to all of them alike
        template.resourcePropertiesCountIs("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "Integration", Match.objectLike(Map.of("ResponseTransferMode", "BUFFERED")))), 0);
        template.resourcePropertiesCountIs("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "RequestValidatorId", Match.anyValue(),
                "Integration", Match.objectLike(Map.of("ResponseTransferMode", "STREAM")))), 2);
        template.resourceCountIs("AWS::WAFv2::WebACLAssociation", 1);
        template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Match.objectLike(Map.of(
                "ResponseType", "INTEGRATION_TIMEOUT", "StatusCode", "504")));
    }

    @Test
    void restApi_refusesRequestsWithoutAnAuthorizationHeader_beforeAnyLambdaRuns() {
        template.resourcePropertiesCountIs("AWS::ApiGateway::Method", Match.objectLike(Map.of(
                "RequestParameters", Map.of("method.request.header.Authorization", true),
                "RequestValidatorId", Map.of("Ref", Match.stringLikeRegexp("RestApiAuthorizationHeader.*")))), 2);
        template.hasResourceProperties("AWS::ApiGateway::RequestValidator", Match.objectLike(Map.of(
                "ValidateRequestParameters", true, "ValidateRequestBody", false)));
        template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Match.objectLike(Map.of(
                "ResponseType", "BAD_REQUEST_PARAMETERS",
                "StatusCode", "401",
                "ResponseTemplates", Map.of("application/json", Match.stringLikeRegexp(".*missing_api_key.*")))));
    }

    @Test
    void stage_throttlesTracesAndLogsWithoutBodies() {
        template.resourceCountIs("AWS::ApiGateway::Stage", 1);
        template.hasResourceProperties("AWS::ApiGateway::Stage", Match.objectLike(Map.of(
                "StageName", "prod",
                "TracingEnabled", true,
                "AccessLogSetting", Match.objectLike(Map.of(
                        "DestinationArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("AccessLogs.*"), "Arn")),
                        "Format", Match.stringLikeRegexp(".*requestId.*\"status\":\\$context.status.*wafStatus.*"))),
                "MethodSettings", List.of(Match.objectLike(Map.of(
                        "HttpMethod", "*",
                        "ResourcePath", "/*",
                        "ThrottlingRateLimit", 5,
                        "ThrottlingBurstLimit", 100,
                        "LoggingLevel", "ERROR",
                        "DataTraceEnabled", false))))));
    }

    @Test
    void apiGatewaysOwnErrors_speakTheOpenAiErrorShape() {
        template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Match.objectLike(Map.of(
                "ResponseType", "THROTTLED",
                "StatusCode", "429",
                "ResponseParameters", Match.objectLike(Map.of("gatewayresponse.header.Retry-After", "'1'")),
                "ResponseTemplates", Map.of("application/json",
                        "{\"error\":{\"message\":$context.error.messageString,\"type\":\"rate_limit_error\","
                                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}"))));
        for (String type : List.of("REQUEST_TOO_LARGE", "WAF_FILTERED", "INTEGRATION_TIMEOUT", "DEFAULT_4XX",
                "DEFAULT_5XX")) {
            template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", Match.objectLike(Map.of(
                    "ResponseType", type,
                    "ResponseTemplates", Map.of("application/json", Match.stringLikeRegexp("\\{\"error\":.*")))));
        }
    }

    @Test
    void throttledRequests_becomeAMetricFromTheAccessLog() {
        template.hasResourceProperties("AWS::Logs::MetricFilter", Match.objectLike(Map.of(
                "FilterPattern", "{ $.status = 429 }",
                "MetricTransformations", List.of(Match.objectLike(Map.of(
                        "MetricNamespace", "Spillway", "MetricName", "ApiThrottled", "MetricValue", "1"))))));
    }

    @Test
    void waf_guardsTheStage_withSizeLimitsARateLimitPerIpAndManagedRules() {
        template.hasResourceProperties("AWS::WAFv2::WebACL", Match.objectLike(Map.of(
                "Scope", "REGIONAL",
                "DefaultAction", Map.of("Allow", Map.of()),
                "Rules", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Name", "BodyTooLarge",
                                "Action", Map.of("Block", Map.of("CustomResponse", Map.of(
                                        "ResponseCode", 413, "CustomResponseBodyKey", "body-too-large"))))),
                        Match.objectLike(Map.of(
                                "Name", "RatePerClientIp",
                                "Statement", Map.of("RateBasedStatement", Map.of(
                                        "AggregateKeyType", "IP", "Limit", 1500, "EvaluationWindowSec", 300)))),
                        Match.objectLike(Map.of(
                                "Name", "AwsCommonRules",
                                "Statement", Map.of("ManagedRuleGroupStatement", Match.objectLike(Map.of(
                                        "VendorName", "AWS",
                                        "Name", "AWSManagedRulesCommonRuleSet",
                                        "RuleActionOverrides", Match.arrayWith(List.of(Map.of(
                                                "Name", "SizeRestrictions_BODY",
                                                "ActionToUse", Map.of("Count", Map.of()))))))))))))));
        template.hasResourceProperties("AWS::WAFv2::WebACLAssociation", Match.objectLike(Map.of(
                "ResourceArn", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(List.of(
                        Match.arrayWith(List.of(":apigateway:", "::/restapis/")))))))));
    }

    @Test
    void waf_refusesBodiesOverTheIntakesLimit_exceptBatchCreatesUpToTheirs() {
        String rules = String.valueOf(template.findResources("AWS::WAFv2::WebACL"));
        assertThat(rules)
                .contains("RegexString=" + DecimalPatterns.greaterThan(262_144))
                .contains("RegexString=" + DecimalPatterns.greaterThan(5_242_880))
                .contains("RegexString=" + ApiFirewall.BATCHES_PATH)
                .contains("Name=content-length");
    }

    @Test
    void everyFunction_reservesItsConcurrency() {
        template.resourcePropertiesCountIs("AWS::Lambda::Function", Match.objectLike(Map.of(
                "ReservedConcurrentExecutions", Match.anyValue())), 5);
        for (Map.Entry<String, Integer> reserved : Map.of("batch-files", 5, "ingest", 10, "notifier", 20,
                "scheduler", 3).entrySet()) {
            template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                    "ReservedConcurrentExecutions", reserved.getValue(),
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(
                            "QUARKUS_LAMBDA_HANDLER", reserved.getKey()))))));
        }
    }

    @Test
    void endpointUrl_isAnOutput() {
        template.hasOutput("ApiEndpoint", Match.objectLike(Map.of("Value", Match.anyValue())));
    }

    @Test
    void noSqsOrDynamoDbStatement_targetsEveryResource() {
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("sqs:.*"))).isEmpty();
        assertThat(template.findResources("AWS::IAM::Policy", IamMatchers.statementOnEveryResource("dynamodb:.*Item.*|dynamodb:Query|dynamodb:Scan")))
                .isEmpty();
    }

    /** The Web Adapter's public x86_64 layer in the stack's region. */
    static Object webAdapterLayer(final int version) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":lambda:",
                Map.of("Ref", "AWS::Region"), ":753240598075:layer:LambdaAdapterLayerX86:" + version)));
    }

    /** An import of one of SpillwayData's exports, e.g. {@code RefApiKeysTable} (a table's name). */
    private static Object dataExport(final String exportRegexp) {
        return Map.of("Fn::ImportValue", Match.stringLikeRegexp("SpillwayData:ExportsOutput" + exportRegexp + ".*"));
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
