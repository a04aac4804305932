package dev.spillway.infra.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.data.DataAccess;
import dev.spillway.infra.data.DataStack;
import dev.spillway.infra.nag.Suppressions;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.DomainNameOptions;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.GatewayResponseOptions;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.LambdaIntegrationOptions;
import software.amazon.awscdk.services.apigateway.LogGroupLogDestination;
import software.amazon.awscdk.services.apigateway.MethodLoggingLevel;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.RequestValidatorOptions;
import software.amazon.awscdk.services.apigateway.ResponseTransferMode;
import software.amazon.awscdk.services.apigateway.ResponseType;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.SecurityPolicy;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The public HTTPS front door and the event-source functions, the doors that are not HTTP.
 *
 * <p>The front door is a REST API (regional) whose every path and method proxies to the intake function's alias,
 * behind AWS WAF ({@link ApiFirewall}). Requests without an {@code Authorization} header are refused by API Gateway
 * itself, so anonymous traffic never runs a Lambda. The stage throttle and the intake's reserved concurrency come from
 * one {@link ConcurrencyBudget}, and the integration timeout, the Lambda timeout and the intake's wait budget from one
 * {@link IntakeTimeouts}; synthesis fails when either does not hold. Errors API Gateway answers itself carry an
 * OpenAI-style body.
 *
 * <p>Every method's integration streams ({@code responseTransferMode} STREAM: API Gateway invokes the alias with
 * InvokeWithResponseStream and passes on each chunk as the function writes it), so a chat completion with
 * {@code "stream": true} reaches the client as server-sent events while it is generated, and may run past the 29 s of a
 * buffered integration, up to the stream limit of {@link IntakeTimeouts}. The intake is a plain Quarkus HTTP app behind
 * the AWS Lambda Web Adapter in {@code response_stream} mode ({@link WebAdapter}), which writes any answer in the
 * streaming format: a JSON or 202 answer is simply a stream that ends at once, so every other route works as before
 * behind the same methods.
 */
public final class ApiStack extends Stack {

    /** Stage of the execute-api URL: {@code https://<id>.execute-api.<region>.amazonaws.com/prod/v1/...}. */
    public static final String STAGE_NAME = "prod";
    /** {@code spillway.intake.max-body-bytes}: the largest chat-completion body, enforced by WAF and the intake. */
    public static final long MAX_BODY_BYTES = 262_144;
    /** {@code spillway.batches.max-body-bytes}: the largest {@code POST /v1/batches} body (one invocation is 6 MB). */
    public static final long MAX_BATCH_BODY_BYTES = 5_242_880;
    /** Metric (namespace {@code Spillway}) of requests the stage answered 429, counted from the access log. */
    public static final String THROTTLED_METRIC = "ApiThrottled";

    private final RestApi restApi;
    private final QuarkusFunction intake;
    private final EventSourceFunctions eventSources;
    private final ApiFirewall firewall;
    private final LogGroup accessLogs;

    public ApiStack(final Construct scope, final String id, final ApiStackProps props) {
        super(scope, id, props);
        ConcurrencyBudget budget = props.getConcurrency();
        IntakeTimeouts timeouts = props.getTimeouts();
        getNode().addValidation(budget::validate);
        getNode().addValidation(timeouts::validate);
        getNode().addValidation(() -> budget.maxHoldSec() < timeouts.lambdaTimeoutSec()
                ? List.of("the concurrency budget counts holds of " + budget.maxHoldSec() + " s, but the intake's "
                        + "streams may run " + timeouts.lambdaTimeoutSec() + " s: size it with maxStreamSeconds")
                : List.of());

        Map<String, String> shared = new LinkedHashMap<>(
                RuntimeEnvironment.shared(props.getJobsTable(), props.getQueues(), props.getRedisHosts()));
        shared.putAll(RuntimeEnvironment.intake(props.getIdempotencyTable(), props.getApiKeysTable(),
                props.getBatchesTable(), props.getModelName()));
        Map<String, String> intakeEnvironment = new LinkedHashMap<>(shared);
        intakeEnvironment.putAll(RuntimeEnvironment.intakeLimits(timeouts, MAX_BODY_BYTES, MAX_BATCH_BODY_BYTES));
        this.intake = new QuarkusFunction(this, "Intake", QuarkusFunctionProps.builder()
                .vpc(props.getVpc())
                .securityGroup(props.getIntakeSecurityGroup())
                .environment(intakeEnvironment)
                .artifact(props.getFunctionArtifact())
                .nativeImage(props.isNativeImage())
                .requireArtifacts(props.isRequireArtifacts())
                .memorySizeMb(props.getMemorySizeMb())
                .timeoutSeconds(timeouts.lambdaTimeoutSec())
                .reservedConcurrency(budget.intake())
                .tracing(props.isTracing())
                .webAdapter(WebAdapter.streamingIntake(props.getWebAdapterLayerVersion()))
                .build());
        grantIntake(props);

        Map<String, String> eventsEnvironment = new LinkedHashMap<>(shared);
        eventsEnvironment.putAll(RuntimeEnvironment.events(props.getPayloadBucket().getBucketName(),
                props.getIngestQueue().getQueueUrl(), props.getIngestDeadLetterQueue().getQueueUrl()));
        this.eventSources = new EventSourceFunctions(this, "Events", new EventSourceFunctionsProps(
                props.getVpc(), props.getIntakeSecurityGroup(), eventsEnvironment, props.getEventsArtifact(),
                props.isNativeImage(), props.isRequireArtifacts(), props.isTracing(), budget, props.getJobsTable(),
                props.getIdempotencyTable(), props.getApiKeysTable(), props.getBatchesTable(), props.getQueues(),
                props.getPayloadBucket(), props.getIngestQueue(), props.getIngestDeadLetterQueue()));

        this.accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        boolean customDomain = !props.getDomainName().isBlank();
        RestApi.Builder api = RestApi.Builder.create(this, "RestApi")
                .restApiName("spillway-intake")
                .description("Spillway: OpenAI/DeepSeek-compatible inference front door")
                .endpointTypes(List.of(EndpointType.REGIONAL))
                // Execution logs (errors only, never bodies: prompts are private) need API Gateway's account role.
                .cloudWatchRole(true)
                .cloudWatchRoleRemovalPolicy(RemovalPolicy.RETAIN)
                // With a custom domain, the execute-api URL would be a second door around its TLS policy.
                .disableExecuteApiEndpoint(customDomain)
                .deployOptions(StageOptions.builder()
                        .stageName(STAGE_NAME)
                        .tracingEnabled(props.isTracing())
                        .throttlingRateLimit(budget.throttleRate())
                        .throttlingBurstLimit(budget.throttleBurst())
                        .loggingLevel(MethodLoggingLevel.ERROR)
                        .dataTraceEnabled(false)
                        .accessLogDestination(new LogGroupLogDestination(accessLogs))
                        .accessLogFormat(AccessLogFormat.custom(ACCESS_LOG_FORMAT))
                        .build());
        if (customDomain) {
            api.domainName(DomainNameOptions.builder()
                    .domainName(props.getDomainName())
                    .certificate(Certificate.fromCertificateArn(this, "Certificate", props.getCertificateArn()))
                    .endpointType(EndpointType.REGIONAL)
                    .securityPolicy(SecurityPolicy.TLS_1_2)
                    .build());
            getNode().addValidation(() -> props.getCertificateArn().isBlank()
                    ? List.of("domainName needs certificateArn: an ACM certificate for it in this region")
                    : List.of());
        }
        this.restApi = api.build();

        // STREAM: InvokeWithResponseStream, each chunk passed on as written; the timeout is the stream limit.
        LambdaIntegration integration = new LambdaIntegration(intake.alias(), LambdaIntegrationOptions.builder()
                .proxy(true)
                .timeout(Duration.seconds(timeouts.integrationTimeoutSec()))
                .responseTransferMode(ResponseTransferMode.STREAM)
                .allowTestInvoke(false)
                .build());
        // Every endpoint wants an API key, so a request without the header is answered 401 by API Gateway itself.
        MethodOptions keyRequired = MethodOptions.builder()
                .requestParameters(Map.of("method.request.header.Authorization", true))
                .requestValidator(restApi.addRequestValidator("AuthorizationHeader", RequestValidatorOptions.builder()
                        .requestValidatorName("authorization-header")
                        .validateRequestParameters(true)
                        .validateRequestBody(false)
                        .build()))
                .build();
        restApi.getRoot().addMethod("ANY", integration, keyRequired);
        restApi.getRoot().addResource("{proxy+}").addMethod("ANY", integration, keyRequired);
        addGatewayResponses();

        this.firewall = new ApiFirewall(this, "Firewall", restApi.getDeploymentStage().getStageArn(),
                MAX_BODY_BYTES, MAX_BATCH_BODY_BYTES, props.getWafRequestsPerIp());

        MetricFilter.Builder.create(this, "ThrottledRequests")
                .logGroup(accessLogs)
                .filterPattern(FilterPattern.numberValue("$.status", "=", 429))
                .metricNamespace("Spillway")
                .metricName(THROTTLED_METRIC)
                .metricValue("1")
                .defaultValue(0)
                .build();

        CfnOutput.Builder.create(this, "ApiEndpoint")
                .description("Base URL for OpenAI/DeepSeek SDKs (append v1)")
                .value(customDomain ? "https://" + props.getDomainName() + "/" : restApi.getUrl())
                .build();
        if (customDomain) {
            CfnOutput.Builder.create(this, "DomainTarget")
                    .description("Point " + props.getDomainName() + " here (CNAME, or a Route 53 alias)")
                    .value(restApi.getDomainName().getDomainNameAliasDomainName())
                    .build();
        }
        suppressFindings(props.isTracing());
    }

    /**
     * JSON access log lines: who, what, how it ended, and how long the intake took; WAF's verdict and API Gateway's
     * own error, when there is one. Never a header or a body.
     */
    static final String ACCESS_LOG_FORMAT = "{\"requestId\":\"$context.requestId\","
            + "\"ip\":\"$context.identity.sourceIp\",\"requestTime\":\"$context.requestTime\","
            + "\"httpMethod\":\"$context.httpMethod\",\"path\":\"$context.path\",\"status\":$context.status,"
            + "\"responseLength\":\"$context.responseLength\",\"integrationStatus\":\"$context.integration.status\","
            + "\"integrationLatency\":\"$context.integration.latency\",\"responseLatency\":\"$context.responseLatency\","
            + "\"errorType\":\"$context.error.responseType\",\"error\":\"$context.error.message\","
            + "\"wafStatus\":\"$context.waf.status\"}";

    /** Errors API Gateway answers without the intake, in the OpenAI error shape the SDKs parse. */
    private void addGatewayResponses() {
        gatewayResponse("Throttled", ResponseType.THROTTLED, "429", "rate_limit_error", "rate_limit_exceeded",
                Map.of("Retry-After", "'1'"));
        gatewayResponse("MissingKey", ResponseType.BAD_REQUEST_PARAMETERS, "401", "invalid_request_error",
                "missing_api_key", Map.of());
        gatewayResponse("TooLarge", ResponseType.REQUEST_TOO_LARGE, "413", "invalid_request_error",
                "request_too_large", Map.of());
        gatewayResponse("WafFiltered", ResponseType.WAF_FILTERED, "403", "invalid_request_error", "request_blocked",
                Map.of());
        gatewayResponse("Timeout", ResponseType.INTEGRATION_TIMEOUT, "504", "server_error", "timeout",
                Map.of("Retry-After", "'1'"));
        gatewayResponse("Other4xx", ResponseType.DEFAULT_4_XX, null, "invalid_request_error", "invalid_request",
                Map.of());
        gatewayResponse("Other5xx", ResponseType.DEFAULT_5_XX, null, "server_error", "server_error",
                Map.of("Retry-After", "'1'"));
    }

    private void gatewayResponse(final String id, final ResponseType type, final String status,
                                 final String errorType, final String code, final Map<String, String> headers) {
        Map<String, String> responseHeaders = new LinkedHashMap<>(headers);
        responseHeaders.put("Content-Type", "'application/json'");
        GatewayResponseOptions.Builder options = GatewayResponseOptions.builder()
                .type(type)
                .responseHeaders(responseHeaders)
                .templates(Map.of("application/json", "{\"error\":{\"message\":$context.error.messageString,"
                        + "\"type\":\"" + errorType + "\",\"param\":null,\"code\":\"" + code + "\"}}"));
        if (status != null) {
            options.statusCode(status);
        }
        restApi.addGatewayResponse(id, options.build());
    }

    /** What the intake's code calls (see {@link DataAccess}), and nothing of the payload bucket: it reads no file. */
    private void grantIntake(final ApiStackProps props) {
        DataAccess.grant(intake.function(), props.getJobsTable(), DataAccess.READ, DataAccess.CREATE,
                DataAccess.BATCH_CREATE, DataAccess.TRANSITION, DataAccess.WITHDRAW);
        // Batch progress, result files and batch cancels read a batch's jobs.
        DataAccess.grantQuery(intake.function(), props.getJobsTable(), DataStack.BATCH_INDEX);
        // Idempotent creates (a transaction with the job or batch), replays, withdrawals.
        DataAccess.grant(intake.function(), props.getIdempotencyTable(), DataAccess.READ, DataAccess.CREATE,
                DataAccess.WITHDRAW);
        // Read only, by key hash: keys are created and revoked by operators with their own credentials.
        DataAccess.grant(intake.function(), props.getApiKeysTable(), DataAccess.READ);
        DataAccess.grant(intake.function(), props.getBatchesTable(), DataAccess.READ, DataAccess.CREATE,
                DataAccess.TRANSITION, DataAccess.WITHDRAW);
        DataAccess.grantQuery(intake.function(), props.getBatchesTable(), DataStack.TENANT_CREATED_INDEX);
        props.getQueues().grantSend(intake.function());
    }

    private void suppressFindings(final boolean tracing) {
        if (tracing) {
            NagSuppressions.addResourceSuppressions(intake, List.of(Suppressions.xrayWrites()), true);
        }
        NagSuppressions.addResourceSuppressions(restApi, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-APIG4")
                        .reason("Clients authenticate with OpenAI-style bearer API keys that the intake checks "
                                + "against the hashed keys in the spillway-api-keys table; API Gateway already "
                                + "refuses requests without an Authorization header, and an authorizer would add a "
                                + "second lookup per request for no extra protection.")
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-APIG2")
                        .reason("Parameters are validated (every method requires the Authorization header). Bodies "
                                + "pass through as clients wrote them (OpenAI-compatible, unknown fields kept): the "
                                + "intake validates what it reads, and WAF refuses oversized ones before any Lambda runs.")
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-COG4")
                        .reason("No Cognito: callers are API clients holding Spillway API keys, not user-pool users.")
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM4")
                        .reason("API Gateway's account-level CloudWatch role: the AWS managed push-to-logs policy is "
                                + "the documented way to let API Gateway write execution logs.")
                        .appliesTo(List.of("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                                + "AmazonAPIGatewayPushToCloudWatchLogs"))
                        .build()), true);
        NagSuppressions.addResourceSuppressions(intake, List.of(
                Suppressions.lambdaManagedPolicies(),
                Suppressions.grantWildcards(),
                Suppressions.javaRuntime()), true);
    }

    public RestApi restApi() {
        return restApi;
    }

    public QuarkusFunction intake() {
        return intake;
    }

    public EventSourceFunctions eventSources() {
        return eventSources;
    }

    public ApiFirewall firewall() {
        return firewall;
    }

    public LogGroup accessLogs() {
        return accessLogs;
    }
}
