package dev.spillway.infra.nag;

import java.util.List;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.RegexAppliesTo;

/** cdk-nag suppressions shared by several stacks, each limited to the findings it explains. */
public final class Suppressions {

    private Suppressions() {
    }

    /**
     * {@code AwsSolutions-IAM5} for the wildcards that {@code grantReadWriteData} on the jobs table and
     * {@code grantReadWrite} on the payload bucket produce: the table's indexes, the bucket's objects, and
     * S3 action families. Any other wildcard still fails the check.
     */
    public static NagPackSuppression grantWildcards() {
        return NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("Wildcards from grant* helpers that stay inside Spillway's own resources: the jobs and "
                        + "batches tables' indexes (tenant-created-index, batch-index queries), the payload bucket's "
                        + "objects (batch files, large payloads) and the S3 action families those grants need.")
                .appliesTo(List.of(
                        regex("/^Action::s3:[A-Za-z]+\\*$/"),
                        regex("/^Resource::.*JobsTable.*\\/index\\/\\*$/"),
                        regex("/^Resource::.*BatchesTable.*\\/index\\/\\*$/"),
                        regex("/^Resource::.*Payloads.*\\/\\*$/")))
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

    private static RegexAppliesTo regex(final String pattern) {
        return RegexAppliesTo.builder().regex(pattern).build();
    }
}
