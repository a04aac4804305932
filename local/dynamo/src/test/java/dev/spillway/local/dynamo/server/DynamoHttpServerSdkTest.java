package dev.spillway.local.dynamo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.spillway.local.dynamo.table.ChangeListener;
import dev.spillway.local.dynamo.table.Database;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The emulator through the unchanged AWS SDK v2 client, used the way Spillway's stores use DynamoDB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoHttpServerSdkTest {

    private static final String JOBS = "jobs";

    private final List<String> changes = new CopyOnWriteArrayList<>();
    private DynamoHttpServer server;
    private DynamoDbClient dynamo;

    @BeforeAll
    void start() throws Exception {
        Database database = new Database(Clock.systemUTC(), "us-east-1");
        database.addListener(new ChangeListener() {
            @Override
            public void itemChanged(String table, Map<String, dev.spillway.local.dynamo.value.AttributeValue> oldImage,
                    Map<String, dev.spillway.local.dynamo.value.AttributeValue> newImage, boolean byTimeToLive) {
                changes.add(table + ":" + (oldImage == null ? "insert" : newImage == null ? "remove" : "modify"));
            }
        });
        server = new DynamoHttpServer("127.0.0.1", 0, database, null).start();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        dynamo.createTable(b -> b.tableName(JOBS)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition("id"), definition("tenant"), definition("created"),
                        definition("leaseShard"), definition("leaseUntil"))
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .globalSecondaryIndexes(g -> g.indexName("tenant-created-index")
                        .keySchema(key("tenant", KeyType.HASH), key("created", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL)),
                        g -> g.indexName("lease-index")
                                .keySchema(key("leaseShard", KeyType.HASH), key("leaseUntil", KeyType.RANGE))
                                .projection(p -> p.projectionType(ProjectionType.INCLUDE)
                                        .nonKeyAttributes("leaseOwner")))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
    }

    @AfterAll
    void stop() {
        dynamo.close();
        server.close();
    }

    private static AttributeDefinition definition(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private Map<String, AttributeValue> job(String id, String tenant, String created) {
        return Map.of("id", s(id), "tenant", s(tenant), "created", s(created), "status", s("QUEUED"));
    }

    @Test
    void createTable_describesStreamAndIndexesAsDynamoDbDoes() {
        // WHEN
        TableDescription table = dynamo.describeTable(b -> b.tableName(JOBS)).table();

        // THEN
        assertThat(table.tableStatusAsString()).isEqualTo("ACTIVE");
        assertThat(table.latestStreamArn()).startsWith("arn:aws:dynamodb:us-east-1:000000000000:table/jobs/stream/")
                .endsWith(table.latestStreamLabel());
        assertThat(table.globalSecondaryIndexes()).extracting(index -> index.indexName())
                .containsExactly("tenant-created-index", "lease-index");
    }

    @Test
    void describeTable_ofUnknownTable_raisesResourceNotFound() {
        assertThatThrownBy(() -> dynamo.describeTable(b -> b.tableName("missing")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Requested resource not found: Table: missing not found");
    }

    @Test
    void putItem_withAttributeNotExists_rejectsASecondCreate_andReturnsTheOldItemWhenAsked() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(job("c1", "t", "1")).conditionExpression("attribute_not_exists(id)"));

        // WHEN / THEN
        assertThatThrownBy(() -> dynamo.putItem(b -> b.tableName(JOBS).item(job("c1", "t", "2"))
                .conditionExpression("attribute_not_exists(id)")
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)))
                .isInstanceOfSatisfying(ConditionalCheckFailedException.class, e -> {
                    assertThat(e.getMessage()).contains("The conditional request failed");
                    assertThat(e.item()).containsEntry("created", s("1"));
                });
        assertThat(dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("id", s("c1")))).item())
                .containsEntry("created", s("1"));
    }

    @Test
    void updateItem_whenConditionHolds_returnsAllNew_andWhenItFails_leavesTheItemUnchanged() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(job("u1", "t", "1")));

        // WHEN
        Map<String, AttributeValue> updated = dynamo.updateItem(b -> b.tableName(JOBS).key(Map.of("id", s("u1")))
                .updateExpression("SET #status = :running, attempts = if_not_exists(attempts, :zero) + :one")
                .conditionExpression("#status = :queued")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":running", s("RUNNING"), ":queued", s("QUEUED"),
                        ":zero", AttributeValue.fromN("0"), ":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.ALL_NEW)).attributes();

        // THEN
        assertThat(updated).containsEntry("status", s("RUNNING")).containsEntry("attempts", AttributeValue.fromN("1"));
        assertThatThrownBy(() -> dynamo.updateItem(b -> b.tableName(JOBS).key(Map.of("id", s("u1")))
                .updateExpression("SET #status = :done").conditionExpression("#status = :queued")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":done", s("DONE"), ":queued", s("QUEUED")))))
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("id", s("u1"))).consistentRead(true)).item())
                .containsEntry("status", s("RUNNING"));
    }

    @Test
    void updateItem_ofAKeyAttribute_isRejected() {
        assertThatThrownBy(() -> dynamo.updateItem(b -> b.tableName(JOBS).key(Map.of("id", s("k1")))
                .updateExpression("SET id = :other").expressionAttributeValues(Map.of(":other", s("k2")))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Cannot update attribute id. This attribute is part of the key");
    }

    @Test
    void deleteItem_withReturnValuesAllOld_returnsTheDeletedItem() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(job("d1", "t", "1")));

        // WHEN
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(JOBS).key(Map.of("id", s("d1")))
                .returnValues(ReturnValue.ALL_OLD)).attributes();

        // THEN
        assertThat(old).containsEntry("tenant", s("t"));
        assertThat(dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("id", s("d1")))).hasItem()).isFalse();
    }

    @Test
    void transactWriteItems_whenOneConditionFails_cancelsAllWithReasons() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(job("x1", "t", "1")));

        // WHEN / THEN
        assertThatThrownBy(() -> dynamo.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(JOBS).item(job("x1", "t", "2"))
                        .conditionExpression("attribute_not_exists(id)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).build(),
                TransactWriteItem.builder().put(p -> p.tableName(JOBS).item(job("x2", "t", "2"))).build())))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> {
                    assertThat(e.getMessage()).contains("Transaction cancelled, please refer cancellation reasons "
                            + "for specific reasons [ConditionalCheckFailed, None]");
                    assertThat(e.cancellationReasons()).extracting(CancellationReason::code)
                            .containsExactly("ConditionalCheckFailed", "None");
                    assertThat(e.cancellationReasons().get(0).item()).containsEntry("created", s("1"));
                });
        assertThat(dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("id", s("x2")))).hasItem()).isFalse();
    }

    @Test
    void transactWriteItems_whenAllConditionsHold_appliesEveryItem() {
        // WHEN
        dynamo.transactWriteItems(b -> b.clientRequestToken("token-1").transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(JOBS).item(job("y1", "t", "1"))
                        .conditionExpression("attribute_not_exists(id)")).build(),
                TransactWriteItem.builder().put(p -> p.tableName(JOBS).item(job("y2", "t", "2"))).build()));

        // THEN
        assertThat(dynamo.batchGetItem(b -> b.requestItems(Map.of(JOBS, software.amazon.awssdk.services.dynamodb.model
                .KeysAndAttributes.builder().keys(Map.of("id", s("y1")), Map.of("id", s("y2"))).build())))
                .responses().get(JOBS)).hasSize(2);
    }

    @Test
    void batchWriteItem_thenQueryPaginator_pagesThroughAGsiInOrder() {
        // GIVEN
        List<WriteRequest> writes = IntStream.range(0, 25).mapToObj(i -> WriteRequest.builder().putRequest(
                PutRequest.builder().item(job("p" + i, "pager", String.format("%03d", i))).build()).build()).toList();
        assertThat(dynamo.batchWriteItem(b -> b.requestItems(Map.of(JOBS, writes))).unprocessedItems()).isEmpty();

        // WHEN
        List<String> created = new ArrayList<>();
        int pages = 0;
        for (QueryResponse page : dynamo.queryPaginator(b -> b.tableName(JOBS).indexName("tenant-created-index")
                .keyConditionExpression("tenant = :t").expressionAttributeValues(Map.of(":t", s("pager")))
                .limit(10))) {
            pages++;
            page.items().forEach(item -> created.add(item.get("created").s()));
        }

        // THEN
        assertThat(created).hasSize(25).isSorted();
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void query_onSparseIncludeIndex_holdsOnlyItemsWithTheIndexKey_andProjectsTheIncludedAttributes() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(Map.of("id", s("l1"), "leaseShard", s("0"),
                "leaseUntil", s("100"), "leaseOwner", s("w1"), "request", s("big"))));
        dynamo.putItem(b -> b.tableName(JOBS).item(Map.of("id", s("l2"), "request", s("no lease"))));

        // WHEN
        QueryResponse response = dynamo.query(b -> b.tableName(JOBS).indexName("lease-index")
                .keyConditionExpression("leaseShard = :shard AND leaseUntil < :before")
                .expressionAttributeValues(Map.of(":shard", s("0"), ":before", s("200"))));

        // THEN
        assertThat(response.items()).containsExactly(Map.of("id", s("l1"), "leaseShard", s("0"),
                "leaseUntil", s("100"), "leaseOwner", s("w1")));
    }

    @Test
    void query_withFilterAndLimit_countsItemsReadBeforeTheFilter_andSelectCountReturnsNoItems() {
        // GIVEN
        for (int i = 0; i < 4; i++) {
            String created = "00" + i;
            dynamo.putItem(b -> b.tableName(JOBS).item(Map.of("id", s("f" + created), "tenant", s("filter"),
                    "created", s(created), "status", s(created.endsWith("0") ? "DONE" : "QUEUED"))));
        }

        // WHEN
        QueryResponse limited = dynamo.query(b -> b.tableName(JOBS).indexName("tenant-created-index")
                .keyConditionExpression("tenant = :t").filterExpression("#s = :queued")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":t", s("filter"), ":queued", s("QUEUED"))).limit(2));
        QueryResponse counted = dynamo.query(b -> b.tableName(JOBS).indexName("tenant-created-index")
                .keyConditionExpression("tenant = :t").expressionAttributeValues(Map.of(":t", s("filter")))
                .select(Select.COUNT));

        // THEN
        assertThat(limited.scannedCount()).isEqualTo(2);
        assertThat(limited.count()).isEqualTo(1);
        assertThat(limited.lastEvaluatedKey()).containsKeys("id", "tenant", "created");
        assertThat(counted.count()).isEqualTo(4);
        assertThat(counted.hasItems()).isFalse();
    }

    @Test
    void scan_withCountAndPaging_seesEveryItemOnce() {
        // GIVEN
        dynamo.createTable(b -> b.tableName("scanned").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition("id")).keySchema(key("id", KeyType.HASH)));
        for (int i = 0; i < 7; i++) {
            String id = "s" + i;
            dynamo.putItem(b -> b.tableName("scanned").item(Map.of("id", s(id))));
        }

        // WHEN
        List<String> ids = dynamo.scanPaginator(b -> b.tableName("scanned").limit(3)).items().stream()
                .map(item -> item.get("id").s()).collect(Collectors.toList());

        // THEN
        assertThat(ids).containsExactlyInAnyOrder("s0", "s1", "s2", "s3", "s4", "s5", "s6");
        assertThat(dynamo.scan(b -> b.tableName("scanned").select(Select.COUNT)).count()).isEqualTo(7);
    }

    @Test
    void validationErrors_raiseTheSdksExceptions_withDynamoDbsMessages() {
        assertThatThrownBy(() -> dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("id", s("")))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("The AttributeValue for a key attribute "
                        + "cannot contain an empty string value. Key: id");
        assertThatThrownBy(() -> dynamo.getItem(b -> b.tableName(JOBS).key(Map.of("other", s("x")))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("The provided key element does not match the schema");
        assertThatThrownBy(() -> dynamo.putItem(b -> b.tableName(JOBS).item(Map.of("id", s("big"),
                "blob", s("x".repeat(410 * 1024))))))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Item size has exceeded the maximum allowed size");
        assertThatThrownBy(() -> dynamo.getItem(b -> b.tableName("nope").key(Map.of("id", s("x")))))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> dynamo.query(b -> b.tableName(JOBS).indexName("no-index")
                .keyConditionExpression("id = :id").expressionAttributeValues(Map.of(":id", s("x")))))
                .isInstanceOf(DynamoDbException.class).hasMessageContaining("no-index");
        assertThatThrownBy(() -> dynamo.putItem(b -> b.tableName(JOBS).item(job("r1", "t", "1"))
                .returnValues(ReturnValue.ALL_NEW)))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("ReturnValues can only be ALL_OLD or NONE");
    }

    @Test
    void listener_hearsEachEffectiveChange_butNotAnIdenticalPut() {
        // GIVEN
        dynamo.createTable(b -> b.tableName("heard").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition("id")).keySchema(key("id", KeyType.HASH)));
        changes.clear();

        // WHEN
        dynamo.putItem(b -> b.tableName("heard").item(Map.of("id", s("a"), "v", s("1"))));
        dynamo.putItem(b -> b.tableName("heard").item(Map.of("id", s("a"), "v", s("1"))));
        dynamo.putItem(b -> b.tableName("heard").item(Map.of("id", s("a"), "v", s("2"))));
        dynamo.deleteItem(b -> b.tableName("heard").key(Map.of("id", s("a"))));
        dynamo.deleteItem(b -> b.tableName("heard").key(Map.of("id", s("a"))));

        // THEN
        assertThat(changes).containsExactly("heard:insert", "heard:modify", "heard:remove");
    }
    @Test
    void updateTimeToLive_isReportedByDescribeTimeToLive() {
        // GIVEN
        dynamo.createTable(b -> b.tableName("expiring").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition("id")).keySchema(key("id", KeyType.HASH)));

        // WHEN
        dynamo.updateTimeToLive(b -> b.tableName("expiring")
                .timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));

        // THEN
        assertThat(dynamo.describeTimeToLive(b -> b.tableName("expiring")).timeToLiveDescription())
                .satisfies(ttl -> {
                    assertThat(ttl.timeToLiveStatusAsString()).isEqualTo("ENABLED");
                    assertThat(ttl.attributeName()).isEqualTo("expiresAt");
                });
    }

    @Test
    void updateItem_withUpdatedOld_returnsOnlyTheChangedAttributesBefore_andCapacityWhenAsked() {
        // GIVEN
        dynamo.putItem(b -> b.tableName(JOBS).item(job("o1", "t", "1")));

        // WHEN
        var response = dynamo.updateItem(b -> b.tableName(JOBS).key(Map.of("id", s("o1")))
                .updateExpression("SET #s = :done").expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":done", s("DONE"))).returnValues(ReturnValue.UPDATED_OLD)
                .returnConsumedCapacity(software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity.TOTAL));

        // THEN
        assertThat(response.attributes()).isEqualTo(Map.of("status", s("QUEUED")));
        assertThat(response.consumedCapacity().tableName()).isEqualTo(JOBS);
        assertThat(response.consumedCapacity().capacityUnits()).isPositive();
    }

    @Test
    void query_onALocalIndex_ordersByItsRangeKey_andScanOfAnIndexSeesOnlyIndexedItems() {
        // GIVEN
        dynamo.createTable(b -> b.tableName("local-indexed").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(definition("pk"), definition("sk"), definition("rank"))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .localSecondaryIndexes(l -> l.indexName("by-rank")
                        .keySchema(key("pk", KeyType.HASH), key("rank", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))));
        for (String[] row : new String[][] {{"a", "3"}, {"b", "1"}, {"c", "2"}}) {
            dynamo.putItem(b -> b.tableName("local-indexed").item(Map.of("pk", s("p"), "sk", s(row[0]),
                    "rank", s(row[1]), "other", s("x"))));
        }
        dynamo.putItem(b -> b.tableName("local-indexed").item(Map.of("pk", s("p"), "sk", s("unranked"))));

        // WHEN
        List<String> byRank = dynamo.query(b -> b.tableName("local-indexed").indexName("by-rank")
                .keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", s("p"))))
                .items().stream().map(item -> item.get("sk").s()).toList();
        int indexed = dynamo.scan(b -> b.tableName("local-indexed").indexName("by-rank")).count();

        // THEN
        assertThat(byRank).containsExactly("b", "c", "a");
        assertThat(indexed).isEqualTo(3);
    }
    @Test
    void conditionalPuts_racingFromManyThreads_letExactlyOneWin() throws Exception {
        // GIVEN
        int racers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(racers);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> attempts = new ArrayList<>();

        // WHEN
        for (int i = 0; i < racers; i++) {
            String owner = "worker-" + i;
            attempts.add(pool.submit(() -> {
                start.await();
                try {
                    dynamo.putItem(b -> b.tableName(JOBS).item(Map.of("id", s("race"), "owner", s(owner)))
                            .conditionExpression("attribute_not_exists(id)"));
                    return true;
                } catch (ConditionalCheckFailedException lost) {
                    return false;
                }
            }));
        }
        start.countDown();
        int winners = 0;
        for (java.util.concurrent.Future<Boolean> attempt : attempts) {
            winners += attempt.get() ? 1 : 0;
        }
        pool.shutdown();

        // THEN
        assertThat(winners).isEqualTo(1);
    }
}
