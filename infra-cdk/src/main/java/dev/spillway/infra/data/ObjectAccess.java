package dev.spillway.infra.data;

import java.util.List;
import java.util.Map;

import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.IBucket;

/** S3 grants by key prefix and by what the code does with the objects there (CDK's grants add whole families). */
public final class ObjectAccess {

    /** GetObject (and HeadObject, which S3 authorizes as GetObject). */
    public static final List<String> READ = List.of("s3:GetObject");
    /** PutObject, single or multipart, and aborting a multipart upload that failed. */
    public static final List<String> WRITE = List.of("s3:PutObject", "s3:AbortMultipartUpload");
    public static final List<String> DELETE = List.of("s3:DeleteObject");

    private ObjectAccess() {
    }

    /** Grants {@code actions} on the objects under {@code prefix} (e.g. {@code batches/}). */
    public static void grant(final IGrantable grantee, final IBucket bucket, final String prefix,
                             final List<String> actions) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(actions)
                .resourceArns(List.of(bucket.arnForObjects(prefix + "*")))
                .build());
    }

    /** Grants listing the keys under {@code prefix} only (what {@code aws s3 sync} of that prefix asks). */
    public static void grantListUnder(final IGrantable grantee, final IBucket bucket, final String prefix) {
        grantee.getGrantPrincipal().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(bucket.getBucketArn()))
                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of(prefix, prefix + "*"))))
                .build());
    }

    /**
     * Grants ListBucket, which S3 wants before it answers 404 rather than 403 for a missing key: the batch-file
     * code treats a vanished input as superseded, and a 403 would instead retry it into the failure queue. It lists
     * key names, never contents; S3 cannot scope that check to a prefix.
     */
    public static void grantMissingKeyAnswers(final IGrantable grantee, final IBucket bucket) {
        Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("s3:ListBucket"))
                .resourceArns(List.of(bucket.getBucketArn()))
                .build());
    }
}
