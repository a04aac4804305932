package dev.spillway.infra.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.spillway.infra.DeployedApp;
import dev.spillway.infra.Policies;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class EventSourceFunctionsTest {

    private static Template template;

    @BeforeAll
    static void synthesize() {
        template = DeployedApp.template(DeployedApp.stacks().api());
    }

    @Test
    void eachHandler_isItsOwnFunctionFromTheEventsArtifact() {
        for (String handler : List.of("batch-files", "ingest", "notifier", "scheduler")) {
            template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                    "Handler", "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest",
                    "Runtime", "java21",
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(
                            "QUARKUS_LAMBDA_HANDLER", handler,
                            "SPILLWAY_JOBS_TABLE", Match.anyValue(),
                            "SPILLWAY_FILES_BUCKET", Match.anyValue(),
                            "SPILLWAY_INGEST_QUEUE_URL", Match.anyValue(),
                            "SPILLWAY_INGEST_DLQ_URL", Match.anyValue()))))));
        }
        // the intake and the four handlers, each behind a live alias on a published version
        template.resourceCountIs("AWS::Lambda::Alias", 5);
    }

    @Test
    void ingest_drainsTheIngestQueueReportingFailuresPerMessage_neverBeyondItsReservation() {
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Match.objectLike(Map.of(
                "EventSourceArn", Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*GetAttIngest[0-9A-F]{8}Arn.*")),
                "BatchSize", 10,
                "ScalingConfig", Map.of("MaximumConcurrency", 10),
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"))));
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "ReservedConcurrentExecutions", 10,
                "Environment", Map.of("Variables", Match.objectLike(Map.of("QUARKUS_LAMBDA_HANDLER", "ingest"))))));
    }

    @Test
    void notifier_readsTheJobsStreamBisectingAndParkingFailures() {
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Match.objectLike(Map.of(
                "EventSourceArn", Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*JobsTable.*StreamArn.*")),
                "StartingPosition", "LATEST",
                "BisectBatchOnFunctionError", true,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination",
                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EventsNotifierFailures.*"), "Arn")))),
                "FilterCriteria", Map.of("Filters", List.of(Map.of("Pattern", Match.serializedJson(Map.of(
                        "eventName", List.of("MODIFY"),
                        "dynamodb", Map.of("NewImage", Map.of(
                                "status", Map.of("S", List.of("SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED")),
                                "callbackUrl", Map.of("S", List.of(Map.of("exists", true)))))))))))));
    }

    @Test
    void webhookSenders_readTheSigningSecretFromSecretsManagerAtRunTime_neverFromTheirEnvironment() {
        template.resourceCountIs("AWS::SecretsManager::Secret", 1);
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_LAMBDA_HANDLER", "notifier",
                        "SPILLWAY_WEBHOOKS_SIGNING_SECRET_ARN",
                        Map.of("Ref", Match.stringLikeRegexp("EventsWebhookSigningSecret.*"))))))));
        String functions = String.valueOf(template.findResources("AWS::Lambda::Function"));
        assertThat(functions).doesNotContain("{{resolve:secretsmanager:", "SPILLWAY_WEBHOOKS_SIGNING_SECRET=");
        List<String> withTheSecret = template.findResources("AWS::Lambda::Function").values().stream()
                .map(String::valueOf).filter(function -> function.contains("SPILLWAY_WEBHOOKS_SIGNING_SECRET_ARN"))
                .toList();
        assertThat(withTheSecret).as("only the notifier and the scheduler (batch webhooks) sign webhooks")
                .hasSize(2).allMatch(function -> function.contains("QUARKUS_LAMBDA_HANDLER=notifier")
                        || function.contains("QUARKUS_LAMBDA_HANDLER=scheduler"));
        List<String> readingIt = policiesWhere(policy -> policy.contains("secretsmanager:GetSecretValue"));
        assertThat(readingIt).hasSize(2).allMatch(policy -> policy.contains("EventsNotifierServiceRole")
                || policy.contains("EventsSchedulerServiceRole"));
    }

    @Test
    void notifier_claimsAndRecordsDeliveriesOnJobs_andReadsNoKeys() {
        assertThat(Policies.actionsOf(template, "EventsNotifierServiceRole", "JobsTable"))
                .contains("dynamodb:GetItem", "dynamodb:UpdateItem")
                .doesNotContain("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan");
        assertThat(String.join("\n", Policies.of(template, "EventsNotifierServiceRole"))).doesNotContain("ApiKeysTable");
    }

    @Test
    void onlyTheBatchFileMachinery_listsATenantsKeys_byItsIndex_andNothingScans() {
        assertThat(policiesWhere(policy -> policy.contains("dynamodb:Scan"))).isEmpty();
        assertThat(Policies.resourcesOf(template, "EventsBatchFilesServiceRole", "dynamodb:Query"))
                .anyMatch(resource -> resource.contains("ApiKeysTable") && resource.contains("/index/tenant-created-index"));
        assertThat(Policies.actionsOf(template, "EventsBatchFilesServiceRole", "ApiKeysTable"))
                .containsExactly("dynamodb:Query");
        assertThat(Policies.actionsOf(template, "EventsIngestServiceRole", "ApiKeysTable"))
                .containsExactly("dynamodb:GetItem");
    }

    @Test
    void scheduler_queriesOnlyTheReapersAndTheBatchIndexes_andTheKeysByTenant_andTheArrivalSeries() {
        assertThat(Policies.resourcesOf(template, "EventsSchedulerServiceRole", "dynamodb:Query"))
                .hasSize(5)
                .anyMatch(resource -> resource.contains("ArrivalsTable") && !resource.contains("/index/"))
                .anyMatch(resource -> resource.contains("/index/lease-index"))
                .anyMatch(resource -> resource.contains("/index/deadline-index"))
                .anyMatch(resource -> resource.contains("/index/batch-index"))
                .anyMatch(resource -> resource.contains("ApiKeysTable") && resource.contains("/index/tenant-created-index"));
    }

    @Test
    void batchFiles_isInvokedByS3ForInputFilesAndParksWhatItCannotHandle() {
        template.hasResourceProperties("Custom::S3BucketNotifications", Match.objectLike(Map.of(
                "NotificationConfiguration", Map.of("LambdaFunctionConfigurations", List.of(Match.objectLike(Map.of(
                        "Events", List.of("s3:ObjectCreated:*"),
                        "LambdaFunctionArn", Map.of("Ref", Match.stringLikeRegexp("EventsBatchFilesLive.*")),
                        "Filter", Map.of("Key", Map.of("FilterRules", Match.arrayEquals(List.of(
                                Map.of("Name", "suffix", "Value", ".jsonl"),
                                Map.of("Name", "prefix", "Value", "batches/"))))))))),
                // the bucket belongs to the data stack: keep notifications other stacks may add
                "Managed", false)));
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Match.objectLike(Map.of(
                "MaximumRetryAttempts", 2,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination",
                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("EventsBatchFileFailures.*"), "Arn")))))));
    }

    @Test
    void scheduler_ticksEveryMinuteWithoutRetries() {
        template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "State", "ENABLED",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Ref", Match.stringLikeRegexp("EventsSchedulerLive.*")),
                        "RetryPolicy", Map.of("MaximumRetryAttempts", 0, "MaximumEventAgeInSeconds", 120)))))));
    }

    @Test
    void scheduler_mayReadTierQueueDepths() {
        List<String> schedulerPolicies = policiesWhere(policy -> policy.contains("EventsSchedulerServiceRole"));
        assertThat(schedulerPolicies).singleElement().asString()
                .contains("sqs:GetQueueAttributes")
                .contains("GetAttQueuesInteractive", "GetAttQueuesStandard", "GetAttQueuesBatch");
    }

    @Test
    void ingest_mayPutInvalidMessagesOnItsDeadLetterQueue_andOnlyItDoes() {
        List<String> sendingToIngestDlq = policiesWhere(
                policy -> policy.matches("(?s).*sqs:SendMessage.*GetAttIngestDlq.*"));
        assertThat(sendingToIngestDlq).singleElement().asString().contains("EventsIngestServiceRole");
    }

    @Test
    void batchFiles_touchesOnlyTheBatchFilesAndScratchPrefixesOfTheBucket() {
        List<String> policies = policiesWhere(policy -> policy.contains("EventsBatchFilesServiceRole"));
        assertThat(policies).singleElement().asString()
                .contains("s3:PutObject", "/batches/*", "/spillway-work/*")
                .doesNotContain(", /*]", "s3:DeleteObject", "s3:GetObject*");
        // deleting scratch objects is the outputs task's (the scheduler's) alone
        assertThat(Policies.resourcesOf(template, "EventsSchedulerServiceRole", "s3:DeleteObject")).singleElement()
                .asString().contains("/spillway-work/*");
    }

    /** The stack's IAM policies, each as its template text, that satisfy {@code condition}. */
    private static List<String> policiesWhere(Predicate<String> condition) {
        return template.findResources("AWS::IAM::Policy").values().stream()
                .map(String::valueOf)
                .filter(condition)
                .toList();
    }

    @Test
    void scheduler_recordsArrivalsOncePerInterval_withoutScanUpdateOrDelete() {
        assertThat(Policies.actionsOf(template, "EventsSchedulerServiceRole", "ArrivalsTable"))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query");
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_LAMBDA_HANDLER", "scheduler",
                        "SPILLWAY_FORECAST_TABLE", Map.of("Fn::ImportValue",
                                Match.stringLikeRegexp(".*ArrivalsTable.*"))))))));
    }

    @Test
    void scheduler_prescalesEachFleetsScalableTarget_withinTheCapacitySettingsAndTheDefaultBudget() {
        template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "QUARKUS_LAMBDA_HANDLER", "scheduler",
                        "SPILLWAY_PRESCALE_ENABLED", "true",
                        "SPILLWAY_PRESCALE_GPU_HOURS_PER_DAY", "12.0",
                        "SPILLWAY_PRESCALE_COLD_START", "PT8M",
                        "SPILLWAY_PRESCALE_MEAN_PROCESSING", "PT2S",
                        "SPILLWAY_FLEET_FLOOR_MIN_TASKS", "1",
                        "SPILLWAY_FLEET_FLOOR_SCALABLE_TARGETS", Match.objectLike(Map.of("Fn::Join", Match.arrayWith(
                                List.of(Match.arrayWith(List.of(Match.stringLikeRegexp("shared=service/.*")))))))))))));
    }

    @Test
    void scheduler_mayRegisterOnlyEcsScalableTargets_andDescribeAndUpdateOnlyTheFleetsServices() {
        assertThat(Policies.resourcesOf(template, "EventsSchedulerServiceRole",
                "application-autoscaling:RegisterScalableTarget"))
                .singleElement().asString().contains(":scalable-target/*").contains("application-autoscaling");
        assertThat(Policies.resourcesOf(template, "EventsSchedulerServiceRole",
                "application-autoscaling:DescribeScalableTargets")).containsExactly("*");
        assertThat(Policies.resourcesOf(template, "EventsSchedulerServiceRole", "ecs:UpdateService"))
                .isNotEmpty().allMatch(resource -> resource.contains("SpillwayFleet") && resource.contains("Service"));
        assertThat(policiesWhere(policy -> policy.contains("RegisterScalableTarget"))).singleElement().asString()
                .contains("EventsSchedulerServiceRole").contains("application-autoscaling:service-namespace");
    }
}
