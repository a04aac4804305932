package dev.spillway.local.emulators;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueNameExistsException;

/**
 * Everything Spillway needs from AWS, on loopback: ElasticMQ for SQS, our DynamoDB emulator, and a real
 * {@code redis-server} (the installed one, else the one bundled for linux-amd64). Provisions the tier queues (each
 * with a dead-letter queue and redrive policy) and the tables as the CDK app does in AWS, creating only what is
 * missing so that a restart on the same data folder keeps what is there, and hands out the Quarkus configuration
 * that points the applications at them.
 */
public final class LocalCloud implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalCloud.class);
    public static final String REGION = "us-east-1";
    private static final String[] TIERS = { "interactive", "standard", "batch" };
    /** The tier queues, and the ingest queue producers put chat-completion requests on. */
    /** As {@code DynamoApiKeyStore} queries it and the CDK app's data stack creates it. */
    private static final String API_KEYS_TENANT_INDEX = "tenant-created-index";
    private static final String[] QUEUES = { "interactive", "standard", "batch", "ingest" };

    private final Options options;
    private final ElasticMqServer sqsServer;
    private final DynamoDbServer dynamoServer;
    private final RedisServer redis;
    private final S3Server s3Server;
    private final Map<String, String> queueUrls = new LinkedHashMap<>();
    /** Models given queues of their own ({@link #fleetConfig}), provisioned again after an SQS restart. */
    private final List<String> fleets = new CopyOnWriteArrayList<>();
    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private S3Client s3;

    /**
     * @param visibilityTimeout default visibility timeout of the tier queues
     * @param maxReceiveCount receives after which a message moves to the dead-letter queue
     * @param redis whether to start a redis-server (installed or bundled)
     * @param requireRedis fail when Redis is wanted but none can run here (tests), rather than run without it (local)
     * @param s3 whether to start an S3 server (s3proxy, its own JVM) with the files bucket
     * @param s3Folder where the S3 server keeps objects, or null for memory
     * @param dataFolder where the queues and the tables are kept across restarts, or null for memory (tests)
     */
    public record Options(Duration visibilityTimeout, int maxReceiveCount, boolean redis, boolean requireRedis,
            String tablePrefix, int sqsPort, int dynamoPort, int redisPort, boolean s3, Path s3Folder, Path dataFolder) {

        public Options(Duration visibilityTimeout, int maxReceiveCount, boolean redis, boolean requireRedis,
                String tablePrefix, int sqsPort, int dynamoPort, int redisPort) {
            this(visibilityTimeout, maxReceiveCount, redis, requireRedis, tablePrefix, sqsPort, dynamoPort, redisPort,
                    false, null, null);
        }

        public static Options forTests() {
            return new Options(Duration.ofSeconds(30), 5, true, true, "spillway", 0, 0, 0);
        }

        public Options withVisibilityTimeout(Duration timeout) {
            return new Options(timeout, maxReceiveCount, redis, requireRedis, tablePrefix, sqsPort, dynamoPort, redisPort,
                    s3, s3Folder, dataFolder);
        }

        public Options withMaxReceiveCount(int count) {
            return new Options(visibilityTimeout, count, redis, requireRedis, tablePrefix, sqsPort, dynamoPort, redisPort,
                    s3, s3Folder, dataFolder);
        }

        /** With an S3 server keeping its objects in {@code folder} (null: in memory). */
        public Options withS3(Path folder) {
            return new Options(visibilityTimeout, maxReceiveCount, redis, requireRedis, tablePrefix, sqsPort, dynamoPort,
                    redisPort, true, folder, dataFolder);
        }

        /** Keeping queues and tables in {@code folder} across restarts (null: in memory). */
        public Options withDataFolder(Path folder) {
            return new Options(visibilityTimeout, maxReceiveCount, redis, requireRedis, tablePrefix, sqsPort, dynamoPort,
                    redisPort, s3, s3Folder, folder);
        }
    }

    private LocalCloud(Options options) {
        this.options = options;
        this.sqsServer = new ElasticMqServer(options.sqsPort() > 0 ? options.sqsPort() : Ports.free(),
                sqsDataFolder().orElse(null));
        this.dynamoServer = new DynamoDbServer(options.dynamoPort() > 0 ? options.dynamoPort() : Ports.free(),
                dynamoDataFolder().orElse(null));
        int redisPort = options.redisPort() > 0 ? options.redisPort() : Ports.free();
        Optional<RedisServer> found = options.redis() ? RedisServer.find(redisPort) : Optional.empty();
        if (options.redis() && found.isEmpty() && options.requireRedis()) {
            throw new IllegalStateException("no redis-server: none is installed and the bundled one runs only on "
                    + "linux-amd64 (apt-get install -y redis-server)");
        }
        this.redis = found.orElse(null);
        this.s3Server = options.s3() ? new S3Server(Ports.free(), options.s3Folder()) : null;
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
        if (s3Server != null) {
            s3Server.start();
            s3 = S3Client.builder().endpointOverride(URI.create(s3Server.endpoint())).region(Region.of(REGION))
                    .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
                    .build();
            if (!s3.listBuckets().buckets().stream().anyMatch(bucket -> bucket.name().equals(filesBucket()))) {
                s3.createBucket(b -> b.bucket(filesBucket()));
            }
        }
        sqs = sqsClient(sqsServer.endpoint());
        dynamo = dynamoClient(dynamoServer.endpoint());
        provision();
    }

    /** Queues and tables as the CDK app makes them; safe to run again on what a previous run left. */
    void provision() {
        provisionQueues();
        provisionJobsTable();
        provisionApiKeysTable();
        provisionIdempotencyTable();
        provisionBatchesTable();
        provisionArrivalsTable();
    }

    /**
     * Arrivals per fleet, tier and interval (and each fleet's pre-scaling ledger), read one series at a time by a
     * range of interval starts; TTL removes old intervals.
     */
    private void provisionArrivalsTable() {
        if (!createTableIfMissing(arrivalsTable(), b -> b
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("series").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("start").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("series").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("start").keyType(KeyType.RANGE).build()))) {
            return;
        }
        dynamo.updateTimeToLive(b -> b.tableName(arrivalsTable())
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    public String arrivalsTable() {
        return options.tablePrefix() + "-arrivals";
    }

    /** Batch records, listed per tenant newest first; TTL removes them with their jobs. */
    private void provisionBatchesTable() {
        if (!createTableIfMissing(batchesTable(), b -> b
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("tenant").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("created").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(g -> g.indexName("tenant-created-index")
                        .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("created").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL))))) {
            return;
        }
        dynamo.updateTimeToLive(b -> b.tableName(batchesTable())
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    public String batchesTable() {
        return options.tablePrefix() + "-batches";
    }

    private void provisionIdempotencyTable() {
        if (!provisionKeyValueTable(idempotencyTable(), "id")) {
            return;
        }
        dynamo.updateTimeToLive(b -> b.tableName(idempotencyTable())
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    public String idempotencyTable() {
        return options.tablePrefix() + "-idempotency";
    }

    /** A client of the ElasticMQ at {@code endpoint}, set up as this cloud's own (e.g. for another process's cloud). */
    public static SqsClient sqsClient(String endpoint) {
        return SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** A client of the DynamoDB emulator at {@code endpoint}, set up as this cloud's own. */
    public static DynamoDbClient dynamoClient(String endpoint) {
        return DynamoDbClient.builder().endpointOverride(URI.create(endpoint)).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    private void provisionQueues() {
        for (String tier : QUEUES) {
            provisionQueue(tier);
        }
        fleets.forEach(this::provisionFleetQueues);
    }

    /** Queue {@code <prefix>-<name>} with its dead-letter queue, recorded under {@code name} and {@code name-dlq}. */
    private void provisionQueue(String name) {
        String dlqUrl = createOrUpdateQueue(options.tablePrefix() + "-" + name + "-dlq",
                Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"));
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = "{\"maxReceiveCount\":\"" + options.maxReceiveCount() + "\",\"deadLetterTargetArn\":\""
                + dlqArn + "\"}";
        String url = createOrUpdateQueue(options.tablePrefix() + "-" + name, Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(options.visibilityTimeout().toSeconds()),
                QueueAttributeName.REDRIVE_POLICY, redrive));
        queueUrls.put(name, url);
        queueUrls.put(name + "-dlq", dlqUrl);
    }

    /**
     * Creating a queue that exists with the same attributes returns it (a restart on the same data folder); one kept
     * from a run with other options (visibility timeout, receive count) gets this run's attributes.
     */
    private String createOrUpdateQueue(String name, Map<QueueAttributeName, String> attributes) {
        try {
            return sqs.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
        } catch (QueueNameExistsException e) {
            String url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
            sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(attributes));
            return url;
        }
    }

    private void provisionJobsTable() {
        String table = jobsTable();
        if (!createTableIfMissing(table, b -> b
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("batchId").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("batchIndex").attributeType(ScalarAttributeType.N).build(),
                        AttributeDefinition.builder().attributeName("leaseShard").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("leaseUntil").attributeType(ScalarAttributeType.N).build(),
                        AttributeDefinition.builder().attributeName("queuedShard").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("deadline").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                // As in AWS, no tenant index: nothing lists a tenant's jobs.
                .globalSecondaryIndexes(
                        // A batch's jobs in request order: its progress and its output files are read from here.
                        g -> g.indexName("batch-index")
                        .keySchema(KeySchemaElement.builder().attributeName("batchId").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("batchIndex").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL)),
                        // Sparse, for the reaper: leaseShard ("0".."3") exists only while RUNNING, queuedShard only
                        // while QUEUED, so each index holds just the jobs it may act on. Only what the reaper reads is
                        // projected: a job's request and result stay out of the indexes.
                        g -> g.indexName("lease-index")
                        .keySchema(KeySchemaElement.builder().attributeName("leaseShard").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("leaseUntil").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.INCLUDE)
                                .nonKeyAttributes("leaseOwner", "tier", "deadline")),
                        g -> g.indexName("deadline-index")
                        .keySchema(KeySchemaElement.builder().attributeName("queuedShard").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("deadline").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.INCLUDE).nonKeyAttributes("tier")))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)))) {
            return;
        }
        dynamo.updateTimeToLive(b -> b.tableName(table)
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
    }

    /**
     * API keys by hash, listed per tenant oldest first (a tenant's keys are found without a Scan). A keys table from
     * a data folder of before the index is made again with it, its keys kept (the emulator cannot add an index to a
     * table; a deploy adds it in AWS).
     */
    private void provisionApiKeysTable() {
        Consumer<CreateTableRequest.Builder> definition = b -> b
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("keyHash").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("tenant").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("created").attributeType(ScalarAttributeType.N).build())
                .keySchema(KeySchemaElement.builder().attributeName("keyHash").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(g -> g.indexName(API_KEYS_TENANT_INDEX)
                        .keySchema(KeySchemaElement.builder().attributeName("tenant").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("created").keyType(KeyType.RANGE).build())
                        .projection(p -> p.projectionType(ProjectionType.ALL)));
        if (createTableIfMissing(apiKeysTable(), definition)) {
            return;
        }
        boolean indexed = dynamo.describeTable(b -> b.tableName(apiKeysTable())).table().globalSecondaryIndexes()
                .stream().anyMatch(index -> index.indexName().equals(API_KEYS_TENANT_INDEX));
        if (!indexed) {
            List<Map<String, AttributeValue>> keys = dynamo.scanPaginator(b -> b.tableName(apiKeysTable())).items()
                    .stream().toList();
            dynamo.deleteTable(b -> b.tableName(apiKeysTable()));
            createTableIfMissing(apiKeysTable(), definition);
            keys.forEach(key -> dynamo.putItem(b -> b.tableName(apiKeysTable()).item(key)));
            LOG.infof("added the tenant index to %s (%d keys kept)", apiKeysTable(), keys.size());
        }
    }

    /** An on-demand table with a single string partition key; false when it exists already. */
    private boolean provisionKeyValueTable(String name, String hashKey) {
        return createTableIfMissing(name, b -> b
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName(hashKey)
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build()));
    }

    /**
     * Creates the table unless a previous run on the same data folder left it there (its items are the point of
     * keeping the folder); true when created now, so its one-time settings (TTL) follow.
     */
    private boolean createTableIfMissing(String name, Consumer<CreateTableRequest.Builder> definition) {
        try {
            dynamo.createTable(b -> definition.accept(b.tableName(name)));
            return true;
        } catch (ResourceInUseException exists) {
            LOG.debugf("table %s exists already", name);
            return false;
        }
    }

    public String apiKeysTable() {
        return options.tablePrefix() + "-api-keys";
    }

    /**
     * Starts ElasticMQ again after an outage. In memory its queues are gone and are provisioned anew (same URLs);
     * with a data folder they are restored, and provisioning them again changes nothing.
     */
    /**
     * Gives {@code model} tier queues of its own, as the CDK app does for each model's fleet, and returns the
     * configuration that routes its jobs there ({@code spillway.models."<model>".queues.*}). Safe to call again.
     */
    public synchronized Map<String, String> fleetConfig(String model) {
        if (!fleets.contains(model)) {
            fleets.add(model);
            provisionFleetQueues(model);
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (String tier : TIERS) {
            String name = fleetQueueName(model, tier);
            config.put("spillway.models.\"" + model + "\".queues." + tier + ".url", queueUrls.get(name));
            config.put("spillway.models.\"" + model + "\".queues." + tier + ".dlq-url", queueUrls.get(name + "-dlq"));
        }
        return config;
    }

    /**
     * URL of one of a model's own queues ({@link #fleetConfig}), or of its dead-letter queue when {@code tier} ends
     * with {@code -dlq}.
     */
    public String fleetQueueUrl(String model, String tier) {
        return queueUrls.get(fleetQueueName(model, tier));
    }

    private void provisionFleetQueues(String model) {
        for (String tier : TIERS) {
            provisionQueue(fleetQueueName(model, tier));
        }
    }

    /** SQS allows letters, digits, dashes and underscores in queue names. */
    private static String fleetQueueName(String model, String tier) {
        return "fleet-" + model.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + tier;
    }

    public void restartSqs() {
        sqsServer.start();
        queueUrls.clear();
        provisionQueues();
    }

    public String jobsTable() {
        return options.tablePrefix() + "-jobs";
    }

    /** Bucket of batch input and output files (only with an S3 server). */
    public String filesBucket() {
        return options.tablePrefix() + "-files";
    }

    /** The S3 server's client, when one was started. */
    public Optional<S3Client> s3() {
        return Optional.ofNullable(s3);
    }

    public Optional<S3Server> s3Server() {
        return Optional.ofNullable(s3Server);
    }

    /**
     * URL of a queue: a tier's ({@code interactive}, ...), the ingest queue ({@code ingest}), or one's dead-letter
     * queue ({@code interactive-dlq}, {@code ingest-dlq}).
     */
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

    public DynamoDbServer dynamoServer() {
        return dynamoServer;
    }

    /** Where ElasticMQ keeps queues and messages ({@code sqs/} under the data folder); empty when in memory. */
    public Optional<Path> sqsDataFolder() {
        return Optional.ofNullable(options.dataFolder()).map(folder -> folder.resolve("sqs"));
    }

    /**
     * Where the DynamoDB emulator keeps its tables ({@code dynamodb/} under the data folder): a journal replayed at
     * start (see module local/dynamo).
     */
    public Optional<Path> dynamoDataFolder() {
        return Optional.ofNullable(options.dataFolder()).map(folder -> folder.resolve("dynamodb"));
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
        }
        config.put("spillway.jobs.table", jobsTable());
        config.put("spillway.auth.keys-table", apiKeysTable());
        config.put("spillway.jobs.idempotency-table", idempotencyTable());
        config.put("spillway.batches.table", batchesTable());
        config.put("spillway.forecast.table", arrivalsTable());
        for (String tier : TIERS) {
            config.put("spillway.queues." + tier + ".url", queueUrls.get(tier));
            config.put("spillway.queues." + tier + ".dlq-url", queueUrls.get(tier + "-dlq"));
        }
        config.put("spillway.ingest.queue-url", queueUrls.get("ingest"));
        config.put("spillway.ingest.dlq-url", queueUrls.get("ingest-dlq"));
        if (s3Server != null) {
            config.put("quarkus.s3.endpoint-override", s3Server.endpoint());
            config.put("quarkus.s3.path-style-access", "true");
            config.put("quarkus.s3.aws.region", REGION);
            config.put("quarkus.s3.aws.credentials.type", "static");
            config.put("quarkus.s3.aws.credentials.static-provider.access-key-id", S3Server.ACCESS_KEY);
            config.put("quarkus.s3.aws.credentials.static-provider.secret-access-key", S3Server.SECRET_KEY);
            config.put("spillway.files.bucket", filesBucket());
            // s3proxy rejects the SDK's default trailing checksums on uploads. The extension passes this to
            // S3Configuration.checksumValidationEnabled, which the SDK turns into WHEN_REQUIRED request checksums
            // (setting requestChecksumCalculation on the builder as well is refused as a conflict).
            config.put("quarkus.s3.checksum-validation", "false");
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
        return String.format(Locale.ROOT, "SQS (ElasticMQ) %s%s, DynamoDB (emulator) %s%s, Redis %s%s",
                sqsServer.endpoint(), sqsDataFolder().map(folder -> " keeping queues in " + folder).orElse(""),
                dynamoServer.endpoint(), dynamoDataFolder().map(folder -> " keeping tables in " + folder).orElse(""),
                redis == null ? "unavailable: running without L2 cache and notices" : redis.uri(),
                s3Server == null ? "" : ", S3 (s3proxy) " + s3Server.endpoint()
                        + (options.s3Folder() == null ? "" : " keeping objects in " + options.s3Folder()));
    }

    @Override
    public void close() {
        closeQuietly(sqs);
        closeQuietly(dynamo);
        closeQuietly(s3);
        closeQuietly(s3Server);
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
