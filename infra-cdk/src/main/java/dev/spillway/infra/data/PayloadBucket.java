package dev.spillway.infra.data;

import java.util.List;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
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
 * Bucket for batch input/output files and payloads too large for SQS or DynamoDB (the {@code Resource}
 * child), with its server access logs in a separate bucket ({@code AccessLogs}).
 */
public final class PayloadBucket extends Construct {

    /** Key prefix of batch outputs and large results; expired after {@code resultsRetentionDays}. */
    public static final String RESULTS_PREFIX = "results/";
    /** Key prefix of the batch-file machinery's scratch objects (rejected lines until the error file is out). */
    public static final String WORK_PREFIX = "spillway-work/";

    private final Bucket bucket;
    private final Bucket accessLogs;

    public PayloadBucket(final Construct scope, final String id, final int resultsRetentionDays) {
        super(scope, id);
        this.accessLogs = Bucket.Builder.create(this, "AccessLogs")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("expire-access-logs")
                        .expiration(Duration.days(90))
                        .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        NagSuppressions.addResourceSuppressions(accessLogs, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-S1")
                .reason("This is the server-access-log bucket itself; logging it into another bucket would only "
                        + "move the problem one level down.")
                .build()));

        this.bucket = Bucket.Builder.create(this, "Resource")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .versioned(true)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .serverAccessLogsBucket(accessLogs)
                .serverAccessLogsPrefix("payloads/")
                .lifecycleRules(List.of(
                        LifecycleRule.builder()
                                .id("abort-incomplete-multipart")
                                .abortIncompleteMultipartUploadAfter(Duration.days(1))
                                .build(),
                        LifecycleRule.builder()
                                .id("expire-results")
                                .prefix(RESULTS_PREFIX)
                                .expiration(Duration.days(resultsRetentionDays))
                                .noncurrentVersionExpiration(Duration.days(1))
                                .build(),
                        LifecycleRule.builder()
                                .id("expire-batch-work")
                                .prefix(WORK_PREFIX)
                                .expiration(Duration.days(30))
                                .noncurrentVersionExpiration(Duration.days(1))
                                .build(),
                        LifecycleRule.builder()
                                .id("expire-noncurrent-versions")
                                .noncurrentVersionExpiration(Duration.days(30))
                                .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    public IBucket bucket() {
        return bucket;
    }

    public IBucket accessLogs() {
        return accessLogs;
    }
}
