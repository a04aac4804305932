package dev.spillway.infra.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.nag.Suppressions;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The public HTTPS front door (an HTTP API whose every route proxies to the intake function's alias) and the
 * event-source functions, the doors that are not HTTP.
 */
public final class ApiStack extends Stack {

    private final HttpApi httpApi;
    private final QuarkusFunction intake;
    private final EventSourceFunctions eventSources;

    public ApiStack(final Construct scope, final String id, final ApiStackProps props) {
        super(scope, id, props);

        Map<String, String> environment = new LinkedHashMap<>(
                RuntimeEnvironment.shared(props.getJobsTable(), props.getQueues(), props.getRedisHosts()));
        environment.putAll(RuntimeEnvironment.intake(props.getIdempotencyTable(), props.getApiKeysTable(),
                props.getBatchesTable(), props.getModelName()));
        this.intake = new QuarkusFunction(this, "Intake", QuarkusFunctionProps.builder()
                .vpc(props.getVpc())
                .securityGroup(props.getIntakeSecurityGroup())
                .environment(environment)
                .artifact(props.getFunctionArtifact())
                .nativeImage(props.isNativeImage())
                .requireArtifacts(props.isRequireArtifacts())
                .memorySizeMb(props.getMemorySizeMb())
                .reservedConcurrency(props.getReservedConcurrency())
                .tracing(props.isTracing())
                .build());

        props.getJobsTable().grantReadWriteData(intake.function());
        // TransactWriteItems (job + idempotency record) is authorized as PutItem on each table; a withdrawn
        // request deletes its record; replays read it with consistent GetItem.
        props.getIdempotencyTable().grantReadWriteData(intake.function());
        // Read only: keys are created and revoked by operators with their own credentials.
        props.getApiKeysTable().grantReadData(intake.function());
        // The Batch API: records (TransactWriteItems with an idempotency record), cancel marks, withdrawals.
        props.getBatchesTable().grantReadWriteData(intake.function());
        props.getQueues().grantSend(intake.function());
        props.getPayloadBucket().grantReadWrite(intake.function());

        Map<String, String> eventsEnvironment = new LinkedHashMap<>(environment);
        eventsEnvironment.putAll(RuntimeEnvironment.events(props.getPayloadBucket().getBucketName(),
                props.getIngestQueue().getQueueUrl(), props.getIngestDeadLetterQueue().getQueueUrl()));
        this.eventSources = new EventSourceFunctions(this, "Events", new EventSourceFunctionsProps(
                props.getVpc(), props.getIntakeSecurityGroup(), eventsEnvironment, props.getEventsArtifact(),
                props.isNativeImage(), props.isRequireArtifacts(), props.isTracing(), props.getJobsTable(),
                props.getIdempotencyTable(), props.getApiKeysTable(), props.getBatchesTable(), props.getQueues(),
                props.getPayloadBucket(), props.getIngestQueue(), props.getIngestDeadLetterQueue()));

        this.httpApi = HttpApi.Builder.create(this, "HttpApi")
                .description("Spillway: OpenAI/DeepSeek-compatible inference front door")
                .createDefaultStage(false)
                .build();
        httpApi.addRoutes(AddRoutesOptions.builder()
                .path("/{proxy+}")
                .methods(List.of(HttpMethod.ANY))
                .integration(new HttpLambdaIntegration("Intake", intake.alias()))
                .build());

        LogGroup accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        final IAccessLogDestination destination = new LogGroupLogDestination(accessLogs);
        HttpStage stage = HttpStage.Builder.create(this, "DefaultStage")
                .httpApi(httpApi)
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(props.getThrottleRateLimit())
                        .burstLimit(props.getThrottleBurstLimit())
                        .build())
                .accessLogSettings(new IAccessLogSettings() {
                    @Override
                    public IAccessLogDestination getDestination() {
                        return destination;
                    }

                    @Override
                    public AccessLogFormat getFormat() {
                        return AccessLogFormat.jsonWithStandardFields();
                    }
                })
                .build();

        CfnOutput.Builder.create(this, "ApiEndpoint")
                .description("Base URL for OpenAI/DeepSeek SDKs (append /v1)")
                .value(stage.getUrl())
                .build();

        suppressFindings(props.isTracing());
    }

    private void suppressFindings(final boolean tracing) {
        if (tracing) {
            NagSuppressions.addResourceSuppressions(intake, List.of(NagPackSuppression.builder()
                    .id("AwsSolutions-IAM5")
                    .reason("Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no "
                            + "resource-level form.")
                    .appliesTo(List.of("Resource::*"))
                    .build()), true);
        }
        NagSuppressions.addResourceSuppressions(httpApi, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-APIG4")
                .reason("Clients authenticate with OpenAI-style bearer API keys that the intake checks against the "
                        + "hashed keys in the spillway-api-keys table; an API Gateway authorizer would add a second "
                        + "lookup per request for no extra protection.")
                .build()), true);
        NagSuppressions.addResourceSuppressions(intake, List.of(
                Suppressions.lambdaManagedPolicies(),
                Suppressions.grantWildcards(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-L1")
                        .reason("The intake is built and tested for Java 21 (SnapStart, Quarkus on JDK 17+); the "
                                + "native variant runs on provided.al2023. Moving runtimes is a deliberate change.")
                        .build()), true);
    }

    public HttpApi httpApi() {
        return httpApi;
    }

    public QuarkusFunction intake() {
        return intake;
    }

    public EventSourceFunctions eventSources() {
        return eventSources;
    }
}
