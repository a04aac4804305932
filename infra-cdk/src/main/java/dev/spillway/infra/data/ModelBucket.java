package dev.spillway.infra.data;

import java.util.List;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * Model weights (the {@code Resource} child), one prefix per served model ({@code <served name>/}): GPU tasks copy
 * them through the VPC's S3 gateway endpoint instead of downloading ~15 GB from Hugging Face through the NAT on
 * every cold start. Operators upload them once (docs/runbook.md).
 */
public final class ModelBucket extends Construct {

    private final Bucket bucket;

    public ModelBucket(final Construct scope, final String id, final IBucket accessLogs) {
        super(scope, id);
        this.bucket = Bucket.Builder.create(this, "Resource")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix("models/")
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("abort-incomplete-multipart")
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    public IBucket bucket() {
        return bucket;
    }
}
