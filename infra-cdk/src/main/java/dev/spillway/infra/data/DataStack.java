package dev.spillway.infra.data;

import java.util.List;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * Durable state: the jobs table, the idempotency table, the API keys table, the batches table, the tier queues,
 * the ingest queue and the payload bucket (which also holds batch files).
 */
public final class DataStack extends Stack {

    /** GSI of the batches table listing one tenant's batches newest first ({@code GET /v1/batches}). */
    public static final String TENANT_CREATED_INDEX = "tenant-created-index";
    /** GSI of the jobs table over one batch's jobs in request order: the batch's progress and result files. */
    public static final String BATCH_INDEX = "batch-index";
    /** Sparse GSI of the jobs table over RUNNING jobs by lease expiry, in shards: the reaper's lapsed leases. */
    public static final String LEASE_INDEX = "lease-index";
    /** Sparse GSI of the jobs table over QUEUED jobs by deadline, in shards: what the reaper expires. */
    public static final String DEADLINE_INDEX = "deadline-index";
    /** Physical name the intake looks API keys up in. */
    public static final String API_KEYS_TABLE_NAME = "spillway-api-keys";
    /** Partition key of the arrivals table: {@code <fleet>#<tier>}, as {@code DynamoArrivalHistory} writes it. */
    public static final String ARRIVALS_SERIES = "series";
    /** Sort key of the arrivals table: the interval's start, epoch seconds. */
    public static final String ARRIVALS_START = "start";
    /** Attribute DynamoDB's TTL reads (epoch seconds). */
    public static final String TTL_ATTRIBUTE = "expiresAt";

    private final Table jobsTable;
    private final Table idempotencyTable;
    private final Table apiKeysTable;
    private final Table batchesTable;
    private final Table arrivalsTable;
    private final PriorityQueues queues;
    private final PayloadBucket payloads;
    private final IngestQueue ingest;
    private final ModelBucket models;

    public DataStack(final Construct scope, final String id, final DataStackProps props) {
        super(scope, id, props);

        this.jobsTable = Table.Builder.create(this, "JobsTable")
                .partitionKey(Attribute.builder().name("id").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .stream(StreamViewType.NEW_AND_OLD_IMAGES)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // No tenant index: no code lists a tenant's jobs, and one projecting the whole job would be rewritten by every
        // lease heartbeat (a hot partition for a large tenant).
        // Sparse: only jobs of a batch carry batchId. ALL, because the result files are read from it.
        jobsTable.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(BATCH_INDEX)
                .partitionKey(Attribute.builder().name("batchId").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("batchIndex").type(AttributeType.NUMBER).build())
                .projectionType(ProjectionType.ALL)
                .build());
        // Sparse: leaseShard exists only while a job is RUNNING, queuedShard only while QUEUED (each a shard number
        // "0".."3" so one partition never gets hot). Only what the reaper reads is projected, never the bodies.
        jobsTable.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(LEASE_INDEX)
                .partitionKey(Attribute.builder().name("leaseShard").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("leaseUntil").type(AttributeType.NUMBER).build())
                .projectionType(ProjectionType.INCLUDE)
                .nonKeyAttributes(List.of("leaseOwner", "tier", "deadline"))
                .build());
        jobsTable.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(DEADLINE_INDEX)
                .partitionKey(Attribute.builder().name("queuedShard").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("deadline").type(AttributeType.NUMBER).build())
                .projectionType(ProjectionType.INCLUDE)
                .nonKeyAttributes(List.of("tier"))
                .build());

        // One item per tenant and Idempotency-Key, written in one transaction with the job it created; DynamoDB's
        // TTL drops it once spillway.jobs.idempotency-retention has passed.
        this.idempotencyTable = Table.Builder.create(this, "IdempotencyTable")
                .partitionKey(Attribute.builder().name("id").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        this.apiKeysTable = Table.Builder.create(this, "ApiKeysTable")
                .tableName(API_KEYS_TABLE_NAME)
                .partitionKey(Attribute.builder().name("keyHash").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // A tenant's keys (the batch machinery checks that a tenant holds an active key) by Query, not Scan; ALL: a
        // key is written when it is created and when it is revoked, nothing more.
        apiKeysTable.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(TENANT_CREATED_INDEX)
                .partitionKey(Attribute.builder().name("tenant").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("created").type(AttributeType.NUMBER).build())
                .projectionType(ProjectionType.ALL)
                .build());

        // The Batch API's batch records; their progress is read from their jobs. TTL drops a record with its jobs.
        this.batchesTable = Table.Builder.create(this, "BatchesTable")
                .partitionKey(Attribute.builder().name("id").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // ALL: the list answers whole batch records, and a record changes a few times in its life, not every 20 s.
        batchesTable.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(TENANT_CREATED_INDEX)
                .partitionKey(Attribute.builder().name("tenant").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("created").type(AttributeType.NUMBER).build())
                .projectionType(ProjectionType.ALL)
                .build());

        // Each fleet's admitted jobs per tier and 5-minute interval (and its pre-scaling ledger), written once per interval
        // by the scheduler and read one series at a time by a range of interval starts: the forecast's history.
        this.arrivalsTable = Table.Builder.create(this, "ArrivalsTable")
                .partitionKey(Attribute.builder().name(ARRIVALS_SERIES).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(ARRIVALS_START).type(AttributeType.NUMBER).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .encryption(TableEncryption.AWS_MANAGED)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        this.queues = new PriorityQueues(this, "Queues", props.getQueues());
        props.getModelFleets().forEach(queues::addModelFleet);
        this.payloads = new PayloadBucket(this, "Payloads", props.getResultsRetentionDays());
        this.models = new ModelBucket(this, "Models", payloads.accessLogs());
        this.ingest = new IngestQueue(this, "Ingest", props.getQueues().maxReceiveCount());
    }

    public ITable jobsTable() {
        return jobsTable;
    }

    /** Each tenant's {@code Idempotency-Key}s (partition key {@code id}), read and written by the intake only. */
    public ITable idempotencyTable() {
        return idempotencyTable;
    }

    public ITable apiKeysTable() {
        return apiKeysTable;
    }

    /** Batch records (partition key {@code id}), read and written by the intake only. */
    public ITable batchesTable() {
        return batchesTable;
    }

    /** Recorded arrivals per fleet, tier and interval: the forecast's history. */
    public ITable arrivalsTable() {
        return arrivalsTable;
    }

    public PriorityQueues queues() {
        return queues;
    }

    public IBucket payloadBucket() {
        return payloads.bucket();
    }

    /** Model weights the GPU tasks load, one prefix per served model. */
    public IBucket modelBucket() {
        return models.bucket();
    }

    /** The SQS ingest queue and its dead-letter queue. */
    public IngestQueue ingestQueue() {
        return ingest;
    }
}
