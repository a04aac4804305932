package dev.spillway.infra.nag;

import java.util.List;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.RegexAppliesTo;

/** cdk-nag suppressions shared by several stacks, each limited to the findings it explains. */
public final class Suppressions {

    private Suppressions() {
    }

    /**
     * {@code AwsSolutions-IAM5} for the wildcards left in Spillway's own grants: objects under one prefix of the
     * payload or models bucket. Any other wildcard still fails the check.
     */
    public static NagPackSuppression grantWildcards() {
        return NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Objects under one key prefix of Spillway's own buckets (batch files, batch scratch, model "
                        + "weights): object keys are not known before they are written.")
                .appliesTo(List.of(
                        regex("/^Resource::.*(Payloads|Models).*\\/\\*$/")))
                .build();
    }

    /**
     * {@code AwsSolutions-IAM4} for the AWS managed policies every Lambda function in the VPC gets (logs, ENIs).
     */
    public static NagPackSuppression lambdaManagedPolicies() {
        return NagPackSuppression.builder()
                .id("AwsSolutions-IAM4")
                .reason("AWS managed Lambda execution policies: CloudWatch Logs writes and the VPC ENI "
                        + "management Lambda needs to join the VPC; both are scoped by AWS to those actions.")
                .appliesTo(List.of(
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"))
                .build();
    }

    /** {@code AwsSolutions-IAM5} for active X-Ray tracing, whose write actions have no resource-level form. */
    public static NagPackSuppression xrayWrites() {
        return NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no "
                        + "resource-level form.")
                .appliesTo(List.of("Resource::*"))
                .build();
    }

    /** {@code AwsSolutions-L1}: the functions run the runtime they are built and tested for. */
    public static NagPackSuppression javaRuntime() {
        return NagPackSuppression.builder()
                .id("AwsSolutions-L1")
                .reason("Built and tested for Java 21 (SnapStart, Quarkus on JDK 17+); the native variant runs on "
                        + "provided.al2023. Moving runtimes is a deliberate change.")
                .build();
    }

    private static RegexAppliesTo regex(final String pattern) {
        return RegexAppliesTo.builder().regex(pattern).build();
    }
}
