package dev.spillway.infra.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awscdk.services.wafv2.CfnWebACL;
import software.amazon.awscdk.services.wafv2.CfnWebACLAssociation;
import software.constructs.Construct;

/**
 * AWS WAF in front of the API stage ({@code Resource}, associated with the stage), evaluated before API Gateway
 * runs anything that costs a Lambda invocation:
 * <ol>
 *   <li>bodies larger than the intake accepts are refused with 413 from their {@code Content-Length} (the Batch API's
 *       {@code POST /v1/batches} has its own, larger limit);</li>
 *   <li>a client IP over {@code requestsPerIp} requests in five minutes gets 429 until it slows down (per-tenant
 *       limits are the intake's, per API key: WAF cannot see tenants);</li>
 *   <li>AWS's common and known-bad-inputs rule groups, except their body rules, which only count: prompts quote
 *       HTML, shell lines and code as a matter of course, and must not be blocked for it.</li>
 * </ol>
 * Refusals carry an OpenAI-style error body, so SDKs report them like any other error.
 */
public final class ApiFirewall extends Construct {

    static final String BODY_TOO_LARGE = "body-too-large";
    static final String RATE_LIMITED = "rate-limited";
    /** Body rules of the managed groups: counted, never blocking (see the class comment). */
    static final List<String> COUNTED_COMMON_RULES = List.of("SizeRestrictions_BODY", "CrossSiteScripting_BODY",
            "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY");
    static final List<String> COUNTED_BAD_INPUT_RULES = List.of("Log4JRCE_BODY", "JavaDeserializationRCE_BODY");
    /** The Batch API's create, under any stage prefix. */
    static final String BATCHES_PATH = "^(/[^/]+)?/v1/batches/?$";

    private final CfnWebACL webAcl;

    /**
     * @param stageArn        the API stage to protect
     * @param maxBodyBytes    largest body the intake accepts ({@code spillway.intake.max-body-bytes})
     * @param maxBatchBytes   largest {@code POST /v1/batches} body ({@code spillway.batches.max-body-bytes})
     * @param requestsPerIp   requests one IP may make in five minutes
     */
    public ApiFirewall(final Construct scope, final String id, final String stageArn, final long maxBodyBytes,
                       final long maxBatchBytes, final int requestsPerIp) {
        super(scope, id);
        List<CfnWebACL.RuleProperty> rules = new ArrayList<>();
        rules.add(rule("BodyTooLarge", 0, block(413, BODY_TOO_LARGE), CfnWebACL.StatementProperty.builder()
                .orStatement(CfnWebACL.OrStatementProperty.builder().statements(List.of(
                        CfnWebACL.StatementProperty.builder().andStatement(CfnWebACL.AndStatementProperty.builder()
                                .statements(List.of(
                                        contentLengthAbove(maxBodyBytes),
                                        CfnWebACL.StatementProperty.builder().notStatement(
                                                CfnWebACL.NotStatementProperty.builder()
                                                        .statement(uriPathMatches(BATCHES_PATH)).build()).build()))
                                .build()).build(),
                        contentLengthAbove(maxBatchBytes))).build())
                .build()));
        rules.add(rule("RatePerClientIp", 1, block(429, RATE_LIMITED), CfnWebACL.StatementProperty.builder()
                .rateBasedStatement(CfnWebACL.RateBasedStatementProperty.builder()
                        .aggregateKeyType("IP")
                        .limit(requestsPerIp)
                        .evaluationWindowSec(300)
                        .build())
                .build()));
        rules.add(managed("AwsCommonRules", 2, "AWSManagedRulesCommonRuleSet", COUNTED_COMMON_RULES));
        rules.add(managed("AwsKnownBadInputs", 3, "AWSManagedRulesKnownBadInputsRuleSet", COUNTED_BAD_INPUT_RULES));

        this.webAcl = CfnWebACL.Builder.create(this, "Resource")
                .scope("REGIONAL")
                .description("Spillway API: size limits, a rate limit per client IP, AWS managed rules")
                .defaultAction(CfnWebACL.DefaultActionProperty.builder()
                        .allow(CfnWebACL.AllowActionProperty.builder().build()).build())
                .visibilityConfig(visibility("SpillwayApi"))
                .customResponseBodies(Map.of(
                        BODY_TOO_LARGE, errorBody("The request body is larger than this endpoint accepts.",
                                "invalid_request_error", "request_too_large"),
                        RATE_LIMITED, errorBody("Too many requests from this address; slow down and retry.",
                                "rate_limit_error", "rate_limit_exceeded")))
                .rules(rules)
                .build();
        CfnWebACLAssociation.Builder.create(this, "Association")
                .resourceArn(stageArn)
                .webAclArn(webAcl.getAttrArn())
                .build();
    }

    public CfnWebACL webAcl() {
        return webAcl;
    }

    private static CfnWebACL.StatementProperty contentLengthAbove(final long bytes) {
        return CfnWebACL.StatementProperty.builder().regexMatchStatement(CfnWebACL.RegexMatchStatementProperty.builder()
                // SingleHeader is free-form JSON in CloudFormation: spelled with its service-side key, "Name".
                .fieldToMatch(CfnWebACL.FieldToMatchProperty.builder()
                        .singleHeader(Map.of("Name", "content-length")).build())
                .regexString(DecimalPatterns.greaterThan(bytes))
                .textTransformations(List.of(noTransformation()))
                .build()).build();
    }

    private static CfnWebACL.StatementProperty uriPathMatches(final String regex) {
        return CfnWebACL.StatementProperty.builder().regexMatchStatement(CfnWebACL.RegexMatchStatementProperty.builder()
                .fieldToMatch(CfnWebACL.FieldToMatchProperty.builder().uriPath(Map.of()).build())
                .regexString(regex)
                .textTransformations(List.of(noTransformation()))
                .build()).build();
    }

    private static CfnWebACL.TextTransformationProperty noTransformation() {
        return CfnWebACL.TextTransformationProperty.builder().priority(0).type("NONE").build();
    }

    private static CfnWebACL.RuleActionProperty block(final int status, final String bodyKey) {
        return CfnWebACL.RuleActionProperty.builder().block(CfnWebACL.BlockActionProperty.builder()
                .customResponse(CfnWebACL.CustomResponseProperty.builder()
                        .responseCode(status)
                        .customResponseBodyKey(bodyKey)
                        .build())
                .build()).build();
    }

    private static CfnWebACL.RuleProperty rule(final String name, final int priority,
                                               final CfnWebACL.RuleActionProperty action,
                                               final CfnWebACL.StatementProperty statement) {
        return CfnWebACL.RuleProperty.builder()
                .name(name)
                .priority(priority)
                .action(action)
                .statement(statement)
                .visibilityConfig(visibility(name))
                .build();
    }

    private static CfnWebACL.RuleProperty managed(final String name, final int priority, final String group,
                                                  final List<String> counted) {
        return CfnWebACL.RuleProperty.builder()
                .name(name)
                .priority(priority)
                .overrideAction(CfnWebACL.OverrideActionProperty.builder().none(Map.of()).build())
                .statement(CfnWebACL.StatementProperty.builder().managedRuleGroupStatement(
                        CfnWebACL.ManagedRuleGroupStatementProperty.builder()
                                .vendorName("AWS")
                                .name(group)
                                .ruleActionOverrides(counted.stream().map(rule ->
                                        CfnWebACL.RuleActionOverrideProperty.builder()
                                                .name(rule)
                                                .actionToUse(CfnWebACL.RuleActionProperty.builder()
                                                        .count(CfnWebACL.CountActionProperty.builder().build())
                                                        .build())
                                                .build()).toList())
                                .build()).build())
                .visibilityConfig(visibility(name))
                .build();
    }

    private static CfnWebACL.VisibilityConfigProperty visibility(final String metricName) {
        return CfnWebACL.VisibilityConfigProperty.builder()
                .metricName(metricName)
                .cloudWatchMetricsEnabled(true)
                .sampledRequestsEnabled(true)
                .build();
    }

    private static CfnWebACL.CustomResponseBodyProperty errorBody(final String message, final String type,
                                                                  final String code) {
        return CfnWebACL.CustomResponseBodyProperty.builder()
                .contentType("APPLICATION_JSON")
                .content("{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,"
                        + "\"code\":\"" + code + "\"}}")
                .build();
    }
}
