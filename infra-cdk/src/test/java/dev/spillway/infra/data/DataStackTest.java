package dev.spillway.infra.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class DataStackTest {

    private static Template template;

    @BeforeAll
    static void synthesize() {
        template = DeployedApp.template(DeployedApp.stacks().data());
    }

    @Test
    void jobsTable_isOnDemandWithTtlStreamPitrAndEncryption() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "id", "KeyType", "HASH")),
                "BillingMode", "PAY_PER_REQUEST",
                "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true),
                "StreamSpecification", Map.of("StreamViewType", "NEW_AND_OLD_IMAGES"),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "SSESpecification", Map.of("SSEEnabled", true))));
    }

    @Test
    void jobsTable_hasNoTenantIndex_soLeaseHeartbeatsRewriteNoIndexOfTheWholeJob() {
        // no code lists a tenant's jobs; the indexes left project a few attributes or only batch jobs
        Map<String, Map<String, Object>> jobs = template.findResources("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "Properties", Match.objectLike(Map.of(
                        "StreamSpecification", Map.of("StreamViewType", "NEW_AND_OLD_IMAGES"))))));
        assertThat(jobs).hasSize(1);
        assertThat(String.valueOf(jobs.values().iterator().next()))
                .doesNotContain("tenant-created-index")
                .contains("IndexName=batch-index", "IndexName=lease-index", "IndexName=deadline-index");
    }

    @Test
    void jobsTable_hasBatchIndexOverEachBatchsJobsInRequestOrder() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "StreamSpecification", Map.of("StreamViewType", "NEW_AND_OLD_IMAGES"),
                "GlobalSecondaryIndexes", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "IndexName", "batch-index",
                        "KeySchema", List.of(
                                Map.of("AttributeName", "batchId", "KeyType", "HASH"),
                                Map.of("AttributeName", "batchIndex", "KeyType", "RANGE")),
                        "Projection", Map.of("ProjectionType", "ALL"))))),
                "AttributeDefinitions", Match.arrayWith(List.of(
                        Map.of("AttributeName", "batchId", "AttributeType", "S"),
                        Map.of("AttributeName", "batchIndex", "AttributeType", "N"))))));
    }

    @Test
    void jobsTable_hasTheReapersSparseIndexes_projectingNoBodies() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "GlobalSecondaryIndexes", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "IndexName", "lease-index",
                                "KeySchema", List.of(
                                        Map.of("AttributeName", "leaseShard", "KeyType", "HASH"),
                                        Map.of("AttributeName", "leaseUntil", "KeyType", "RANGE")),
                                "Projection", Map.of("ProjectionType", "INCLUDE",
                                        "NonKeyAttributes", List.of("leaseOwner", "tier", "deadline")))),
                        Match.objectLike(Map.of(
                                "IndexName", "deadline-index",
                                "KeySchema", List.of(
                                        Map.of("AttributeName", "queuedShard", "KeyType", "HASH"),
                                        Map.of("AttributeName", "deadline", "KeyType", "RANGE")),
                                "Projection", Map.of("ProjectionType", "INCLUDE",
                                        "NonKeyAttributes", List.of("tier")))))),
                "AttributeDefinitions", Match.arrayWith(List.of(
                        Map.of("AttributeName", "leaseShard", "AttributeType", "S"),
                        Map.of("AttributeName", "leaseUntil", "AttributeType", "N"),
                        Map.of("AttributeName", "queuedShard", "AttributeType", "S"),
                        Map.of("AttributeName", "deadline", "AttributeType", "N"))))));
    }

    @Test
    void batchesTable_isOnDemandEncryptedWithTtlAndListsEachTenantsBatches() {
        assertThat(template.findResources("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "KeySchema", List.of(Map.of("AttributeName", "id", "KeyType", "HASH")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true),
                        "StreamSpecification", Match.absent(),
                        "GlobalSecondaryIndexes", List.of(Match.objectLike(Map.of(
                                "IndexName", "tenant-created-index",
                                "KeySchema", List.of(
                                        Map.of("AttributeName", "tenant", "KeyType", "HASH"),
                                        Map.of("AttributeName", "created", "KeyType", "RANGE")),
                                "Projection", Map.of("ProjectionType", "ALL"))))))))).keySet())
                .singleElement().asString().startsWith("BatchesTable");
    }

    @Test
    void arrivalsTable_isOneSeriesPerPartitionByIntervalStart_onDemandEncryptedWithTtl_andUnindexed() {
        assertThat(template.findResources("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "KeySchema", List.of(Map.of("AttributeName", "series", "KeyType", "HASH"),
                                Map.of("AttributeName", "start", "KeyType", "RANGE")),
                        "AttributeDefinitions", List.of(Map.of("AttributeName", "series", "AttributeType", "S"),
                                Map.of("AttributeName", "start", "AttributeType", "N")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true),
                        "DeletionProtectionEnabled", true,
                        "GlobalSecondaryIndexes", Match.absent(),
                        "StreamSpecification", Match.absent()))))).keySet())
                .singleElement().asString().startsWith("ArrivalsTable");
    }

    @Test
    void idempotencyTable_isOnDemandEncryptedWithTtlOnExpiresAt() {
        assertThat(template.findResources("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "KeySchema", List.of(Map.of("AttributeName", "id", "KeyType", "HASH")),
                        "AttributeDefinitions", List.of(Map.of("AttributeName", "id", "AttributeType", "S")),
                        "BillingMode", "PAY_PER_REQUEST",
                        "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true),
                        "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                        "SSESpecification", Map.of("SSEEnabled", true),
                        // named by CloudFormation; the intake gets the name through SPILLWAY_JOBS_IDEMPOTENCY_TABLE
                        "TableName", Match.absent(),
                        "GlobalSecondaryIndexes", Match.absent(),
                        "StreamSpecification", Match.absent()))))).keySet())
                .singleElement().asString().startsWith("IdempotencyTable");
    }

    @Test
    void apiKeysTable_isKeyedByHashUnderItsFixedName_andIndexedByTenant() {
        template.resourceCountIs("AWS::DynamoDB::Table", 5);
        template.hasResourceProperties("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "TableName", "spillway-api-keys",
                "KeySchema", List.of(Map.of("AttributeName", "keyHash", "KeyType", "HASH")),
                "BillingMode", "PAY_PER_REQUEST",
                "GlobalSecondaryIndexes", List.of(Match.objectLike(Map.of(
                        "IndexName", "tenant-created-index",
                        "KeySchema", List.of(Map.of("AttributeName", "tenant", "KeyType", "HASH"),
                                Map.of("AttributeName", "created", "KeyType", "RANGE")),
                        "Projection", Map.of("ProjectionType", "ALL")))))));
    }

    @Test
    void tables_areRetainedOnStackDeletion_andProtectedFromDeletion() {
        assertThat(template.findResources("AWS::DynamoDB::Table", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of("DeletionProtectionEnabled", true)))))).hasSize(5);
    }

    @Test
    void modelBucket_isPrivateEncryptedLoggedAndRetained() {
        template.hasResource("AWS::S3::Bucket", Match.objectLike(Map.of(
                "DeletionPolicy", "Retain",
                "Properties", Match.objectLike(Map.of(
                        "PublicAccessBlockConfiguration", Map.of(
                                "BlockPublicAcls", true, "BlockPublicPolicy", true,
                                "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                        "LoggingConfiguration", Match.objectLike(Map.of("LogFilePrefix", "models/")))))));
    }

    @Test
    void everyTier_hasAnEncryptedQueueWithRedriveToItsDlq() {
        // three tiers and the ingest queue, each with its dead-letter queue
        template.resourceCountIs("AWS::SQS::Queue", 8);
        assertThat(template.findResources("AWS::SQS::Queue", Match.objectLike(Map.of("Properties", Map.of(
                "SqsManagedSseEnabled", true,
                "VisibilityTimeout", 120,
                "RedrivePolicy", Match.objectLike(Map.of("maxReceiveCount", 5))))))).hasSize(3);
        assertThat(template.findResources("AWS::SQS::Queue", Match.objectLike(Map.of("Properties", Map.of(
                "SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 14 * 24 * 3600))))).hasSize(4);
    }

    @Test
    void ingestQueue_hidesAMessageSixFunctionTimeoutsAndRedrivesToItsDlq() {
        template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of(
                "SqsManagedSseEnabled", true,
                "VisibilityTimeout", 180,
                "RedrivePolicy", Match.objectLike(Map.of(
                        "maxReceiveCount", 5,
                        "deadLetterTargetArn", Map.of("Fn::GetAtt",
                                List.of(Match.stringLikeRegexp("IngestDlq.*"), "Arn")))))));
    }

    @Test
    void everyQueue_deniesRequestsWithoutTls() {
        template.resourceCountIs("AWS::SQS::QueuePolicy", 8);
        template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(
                        Map.of("Effect", "Deny",
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }

    @Test
    void payloadBucket_isPrivateEncryptedVersionedAndLogged() {
        // payloads, models and their access logs
        template.resourceCountIs("AWS::S3::Bucket", 3);
        template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "PublicAccessBlockConfiguration", Map.of(
                        "BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "BucketEncryption", Match.objectLike(Map.of("ServerSideEncryptionConfiguration", List.of(
                        Match.objectLike(Map.of("ServerSideEncryptionByDefault",
                                Map.of("SSEAlgorithm", "AES256")))))),
                "LoggingConfiguration", Match.objectLike(Map.of(
                        "DestinationBucketName", Match.anyValue(), "LogFilePrefix", "payloads/")))));
    }

    @Test
    void payloadBucket_abortsMultipartAndExpiresResultsAndBatchScratch() {
        template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "LifecycleConfiguration", Map.of("Rules", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("AbortIncompleteMultipartUpload",
                                Map.of("DaysAfterInitiation", 1), "Status", "Enabled")),
                        Match.objectLike(Map.of("Prefix", "results/", "ExpirationInDays", 30,
                                "Status", "Enabled")),
                        Match.objectLike(Map.of("Prefix", "spillway-work/", "ExpirationInDays", 30,
                                "Status", "Enabled"))))))));
    }

    @Test
    void buckets_denyRequestsWithoutTls() {
        template.resourceCountIs("AWS::S3::BucketPolicy", 3);
        template.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of(
                "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(
                        Map.of("Effect", "Deny",
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    }
}
