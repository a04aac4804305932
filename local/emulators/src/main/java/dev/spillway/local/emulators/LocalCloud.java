package dev.spillway.local.emulators;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Everything Spillway needs from AWS, on loopback: ElasticMQ for SQS, DynamoDB Local, and a real
 * {@code redis-server} when one is installed. Provisions the tier queues (each with a dead-letter queue and
 * redrive policy) and the jobs table as the CDK app does in AWS, and hands out the Quarkus configuration
 * that points the applications at them.
 */
public final class LocalCloud implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalCloud.class);
    public static final String REGION = "us-east-1";
    private static final String[] TIERS = { "interactive", "standard", "batch" };

    private final Options options;
    private final ElasticMqServer sqsServer;
    private final DynamoDbLocalServer dynamoServer;
    private final RedisServer redis;
    private final Map<String, String> queueUrls = new LinkedHashMap<>();
    private SqsClient sqs;
    private DynamoDbClient dynamo;

    /**
     * @param visibilityTimeout default visibility timeout of the tier queues
     * @param maxReceiveCount receives after which a message moves to the dead-letter queue
     * @param redis whether to start a redis-server (when installed)
     * @param requireRedis fail when Redis is wanted but not installed (tests), rather than run without it (local)
     */
    public record Options(Duration visibilityTimeout, int maxReceiveCount, boolean redis, boolean requireRedis,
            String tablePrefix, int sqsPort, int dynamoPort, int redisPort) {

        public static Options forTests() {
            return new Options(Duration.ofSeconds(30), 5, true, true, "spillway", 0, 0, 0);
        }

        public Options withVisibilityTimeout(Duration timeout) {
            return new Options(timeout, maxReceiveCount, redis, requireRedis, tablePrefix, sqsPort, dynamoPort, redisPort);
        }

        public Options withMaxReceiveCount(int count) {
            return new Options(visibilityTimeout, count, redis, requireRedis, tablePrefix, sqsPort, dynamoPort, redisPort);
        }
    }

    private LocalCloud(Options options) {
        this.options = options;
        this.sqsServer = new ElasticMqServer(options.sqsPort() > 0 ? options.sqsPort() : Ports.free());
        this.dynamoServer = new DynamoDbLocalServer(options.dynamoPort() > 0 ? options.dynamoPort() : Ports.free());
        int redisPort = options.redisPort() > 0 ? options.redisPort() : Ports.free();
        Optional<RedisServer> installed = options.redis() ? RedisServer.onPath(redisPort) : Optional.empty();
        if (options.redis() && installed.isEmpty() && options.requireRedis()) {
            throw new IllegalStateException("redis-server is not installed (apt-get install -y redis-server)");
        }
        this.redis = installed.orElse(null);
    }

    public static LocalCloud start(Options options) {
        LocalCloud cloud = new LocalCloud(options);
        try {
            cloud.startAll();
            return cloud;
        } catch (RuntimeException e) {
            cloud.close();
            throw e;
        }
    }

    private void startAll() {
        sqsServer.start();
        dynamoServer.start();
        if (redis != null) {
            redis.start();
        }
        sqs = SqsClient.builder().endpointOverride(URI.create(sqsServer.endpoint())).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(dynamoServer.endpoint())).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        provisionQueues();
        provisionJobsTable();
        provisionApiKeysTable();
        provisionIdempotencyTable();
        provisionBatchesTable();
    }

    /** Batch records, listed per tenant newest first; TTL removes them with their jobs. */
    private void provisionBatchesTable() {
        dynamo.createTable(b -> b.tableName(batchesTable())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("tenant").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("created").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(g -> g.indexName("tenant-created-index")
                        .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("created").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
        dynamo.updateTimeToLive(b -> b.tableName(batchesTable())
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    public String batchesTable() {
        return options.tablePrefix() + "-batches";
    }

    private void provisionIdempotencyTable() {
        provisionKeyValueTable(idempotencyTable(), "id");
        dynamo.updateTimeToLive(b -> b.tableName(idempotencyTable())
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    public String idempotencyTable() {
        return options.tablePrefix() + "-idempotency";
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    private void provisionQueues() {
        for (String tier : TIERS) {
            String dlqUrl = sqs.createQueue(b -> b.queueName(options.tablePrefix() + "-" + tier + "-dlq")
                    .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String redrive = "{\"maxReceiveCount\":\"" + options.maxReceiveCount() + "\",\"deadLetterTargetArn\":\""
                    + dlqArn + "\"}";
            String url = sqs.createQueue(b -> b.queueName(options.tablePrefix() + "-" + tier)
                    .attributes(Map.of(
                            QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(options.visibilityTimeout().toSeconds()),
                            QueueAttributeName.REDRIVE_POLICY, redrive)))
                    .queueUrl();
            queueUrls.put(tier, url);
            queueUrls.put(tier + "-dlq", dlqUrl);
        }
    }

    private void provisionJobsTable() {
        String table = jobsTable();
        dynamo.createTable(b -> b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("tenant").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("created").attributeType(ScalarAttributeType.N).build(),
                        AttributeDefinition.builder().attributeName("batchId").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("batchIndex").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(g -> g.indexName("tenant-created-index")
                        .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("created").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL)),
                        // A batch's jobs in request order: its progress and its output files are read from here.
                        g -> g.indexName("batch-index")
                        .keySchema(KeySchemaElement.builder().attributeName("batchId").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("batchIndex").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL)))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        dynamo.updateTimeToLive(b -> b.tableName(table)
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    private void provisionApiKeysTable() {
        provisionKeyValueTable(apiKeysTable(), "keyHash");
    }

    /** An on-demand table with a single string partition key. */
    private void provisionKeyValueTable(String name, String hashKey) {
        dynamo.createTable(b -> b.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(hashKey)
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build()));
    }

    public String apiKeysTable() {
        return options.tablePrefix() + "-api-keys";
    }

    /** Starts ElasticMQ again after an outage; its queues are in memory, so they are provisioned anew (same URLs). */
    public void restartSqs() {
        sqsServer.start();
        queueUrls.clear();
        provisionQueues();
    }

    public String jobsTable() {
        return options.tablePrefix() + "-jobs";
    }

    /** URL of a tier's queue ({@code interactive}, ...) or its dead-letter queue ({@code interactive-dlq}). */
    public String queueUrl(String name) {
        return queueUrls.get(name);
    }

    public SqsClient sqs() {
        return sqs;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    public Optional<RedisServer> redis() {
        return Optional.ofNullable(redis);
    }

    public ElasticMqServer sqsServer() {
        return sqsServer;
    }

    public DynamoDbLocalServer dynamoServer() {
        return dynamoServer;
    }

    /** Quarkus configuration that points an application (intake or worker) at these emulators. */
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        for (String service : new String[] { "sqs", "dynamodb" }) {
            String endpoint = service.equals("sqs") ? sqsServer.endpoint() : dynamoServer.endpoint();
            config.put("quarkus." + service + ".endpoint-override", endpoint);
            config.put("quarkus." + service + ".aws.region", REGION);
            config.put("quarkus." + service + ".aws.credentials.type", "static");
            config.put("quarkus." + service + ".aws.credentials.static-provider.access-key-id", "local");
            config.put("quarkus." + service + ".aws.credentials.static-provider.secret-access-key", "local");
            config.put("quarkus." + service + ".devservices.enabled", "false");
        }
        config.put("quarkus.redis.devservices.enabled", "false");
        config.put("spillway.jobs.table", jobsTable());
        config.put("spillway.auth.keys-table", apiKeysTable());
        config.put("spillway.jobs.idempotency-table", idempotencyTable());
        config.put("spillway.batches.table", batchesTable());
        for (String tier : TIERS) {
            config.put("spillway.queues." + tier + ".url", queueUrls.get(tier));
            config.put("spillway.queues." + tier + ".dlq-url", queueUrls.get(tier + "-dlq"));
        }
        if (redis != null) {
            config.put("quarkus.redis.hosts", redis.uri());
        } else {
            // The Redis client still needs an address; nothing will use it.
            config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + Ports.free());
            config.put("spillway.cache.l2-enabled", "false");
            config.put("spillway.notice.enabled", "false");
        }
        return config;
    }

    /** The same configuration as JVM system-property arguments, for a child process. */
    public java.util.List<String> configAsSystemProperties() {
        return config().entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList();
    }

    public String describe() {
        return String.format(Locale.ROOT, "SQS (ElasticMQ) %s, DynamoDB Local %s, Redis %s", sqsServer.endpoint(),
                dynamoServer.endpoint(), redis == null ? "not installed: running without L2 cache and notices" : redis.uri());
    }

    @Override
    public void close() {
        closeQuietly(sqs);
        closeQuietly(dynamo);
        closeQuietly(redis);
        closeQuietly(dynamoServer);
        closeQuietly(sqsServer);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debugf("while stopping %s: %s", closeable.getClass().getSimpleName(), e.toString());
        }
    }
}
