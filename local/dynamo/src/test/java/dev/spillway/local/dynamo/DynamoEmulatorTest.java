package dev.spillway.local.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.spillway.local.dynamo.journal.Journal;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

class DynamoEmulatorTest {

    private static final String TABLE = "jobs";

    @TempDir
    Path dataDirectory;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T10:00:00Z"));
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private DynamoEmulator emulator;
    private DynamoDbClient dynamo;
    private DynamoDbStreamsClient streams;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = StreamViewType.class, names = "UNKNOWN_TO_SDK_VERSION", mode = EnumSource.Mode.EXCLUDE)
    void stream_recordsInsertModifyRemove_withTheImagesItsViewTypeAsks(StreamViewType viewType) {
        // GIVEN
        start(null);
        createTable(viewType);

        // WHEN
        put("a", "1");
        put("a", "2");
        dynamo.deleteItem(b -> b.tableName(TABLE).key(key("a")));

        // THEN
        List<Record> records = readFromTrimHorizon(100);
        assertThat(records).extracting(Record::eventName)
                .containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
        boolean newImages = viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        boolean oldImages = viewType == StreamViewType.OLD_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        Record modify = records.get(1);
        assertThat(modify.dynamodb().keys()).isEqualTo(key("a"));
        assertThat(modify.dynamodb().hasNewImage()).isEqualTo(newImages);
        assertThat(modify.dynamodb().hasOldImage()).isEqualTo(oldImages);
        if (newImages) {
            assertThat(modify.dynamodb().newImage().get("v").s()).isEqualTo("2");
        }
        if (oldImages) {
            assertThat(modify.dynamodb().oldImage().get("v").s()).isEqualTo("1");
        }
        assertThat(modify.dynamodb().streamViewType()).isEqualTo(viewType);
        assertThat(modify.dynamodb().approximateCreationDateTime()).isEqualTo(clock.instant());
        assertThat(modify.eventSource()).isEqualTo("aws:dynamodb");
        assertThat(modify.awsRegion()).isEqualTo("us-east-1");
    }

    @Test
    void putOfTheSameItem_addsNoStreamRecord() {
        // GIVEN
        start(null);
        createTable(StreamViewType.NEW_AND_OLD_IMAGES);
        put("a", "1");

        // WHEN
        put("a", "1");

        // THEN
        assertThat(readFromTrimHorizon(100)).hasSize(1);
    }

    @Test
    void shardIterators_startWhereTheirTypeSays() {
        // GIVEN
        start(null);
        String arn = createTable(StreamViewType.KEYS_ONLY);
        put("a", "1");
        put("b", "1");
        String shardId = shardId(arn);
        String sequenceOfA = readFromTrimHorizon(100).get(0).dynamodb().sequenceNumber();
        String latest = streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId)
                .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();

        // WHEN
        put("c", "1");

        // THEN
        assertThat(ids(streams.getRecords(b -> b.shardIterator(latest)).records())).containsExactly("c");
        assertThat(ids(records(arn, shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, sequenceOfA)))
                .containsExactly("a", "b", "c");
        assertThat(ids(records(arn, shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceOfA)))
                .containsExactly("b", "c");
    }

    @Test
    void getRecords_pagesThroughTheShard_withANextIteratorOnEveryPage() {
        // GIVEN
        start(null);
        createTable(StreamViewType.NEW_IMAGE);
        for (int i = 0; i < 7; i++) {
            put("k" + i, "v");
        }

        // WHEN
        List<Record> records = readFromTrimHorizon(3);

        // THEN
        assertThat(ids(records)).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6");
    }

    @Test
    void deletedTable_endsItsStream() {
        // GIVEN
        start(null);
        String arn = createTable(StreamViewType.NEW_IMAGE);
        put("a", "1");
        String iterator = iterator(arn, shardId(arn), ShardIteratorType.TRIM_HORIZON, null);

        // WHEN
        dynamo.deleteTable(b -> b.tableName(TABLE));

        // THEN
        GetRecordsResponse last = streams.getRecords(b -> b.shardIterator(iterator));
        assertThat(ids(last.records())).containsExactly("a");
        assertThat(last.nextShardIterator()).isNull();
        assertThat(streams.describeStream(b -> b.streamArn(arn)).streamDescription().streamStatus())
                .isEqualTo(StreamStatus.DISABLED);
    }

    @Test
    void timeToLive_deletesExpiredItems_asServiceRemovalsInTheStream() {
        // GIVEN an item that expires in a minute
        start(null);
        createTable(StreamViewType.NEW_AND_OLD_IMAGES);
        dynamo.updateTimeToLive(b -> b.tableName(TABLE)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiresAt")));
        long expiresAt = clock.instant().plusSeconds(60).getEpochSecond();
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("a"),
                "expiresAt", AttributeValue.builder().n(Long.toString(expiresAt)).build())));
        put("b", "stays");

        // WHEN
        assertThat(emulator.sweepExpiredNow()).isZero();
        clock.advance(Duration.ofMinutes(2));
        int swept = emulator.sweepExpiredNow();

        // THEN
        assertThat(swept).isEqualTo(1);
        assertThat(dynamo.getItem(b -> b.tableName(TABLE).key(key("a"))).hasItem()).isFalse();
        assertThat(dynamo.getItem(b -> b.tableName(TABLE).key(key("b"))).hasItem()).isTrue();
        Record removal = readFromTrimHorizon(100).get(2);
        assertThat(removal.eventName()).isEqualTo(OperationType.REMOVE);
        assertThat(removal.userIdentity().type()).isEqualTo("Service");
        assertThat(removal.userIdentity().principalId()).isEqualTo("dynamodb.amazonaws.com");
    }

    @Test
    void timeToLiveSweeper_runsInTheBackground() {
        // GIVEN an emulator sweeping every 20 ms and an expired item
        emulator = DynamoEmulator.builder().clock(clock).ttlSweepInterval(Duration.ofMillis(20)).build().start();
        toClose.add(emulator);
        connect();
        createTable(StreamViewType.KEYS_ONLY);
        dynamo.updateTimeToLive(b -> b.tableName(TABLE)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiresAt")));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("a"),
                "expiresAt", AttributeValue.builder().n(Long.toString(clock.instant().getEpochSecond())).build())));

        // WHEN
        clock.advance(Duration.ofSeconds(5));

        // THEN
        await().atMost(Duration.ofSeconds(10)).until(
                () -> !dynamo.getItem(b -> b.tableName(TABLE).key(key("a"))).hasItem());
    }

    @Test
    void restartFromTheDataDirectory_keepsTablesItemsTimeToLiveAndIndexes() {
        // GIVEN a table with a GSI, TTL and items, then a restart
        start(dataDirectory);
        dynamo.createTable(b -> b.tableName(TABLE).billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(d -> d.attributeName("id").attributeType(ScalarAttributeType.S),
                        d -> d.attributeName("state").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("by-state")
                        .keySchema(k -> k.attributeName("state").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
        dynamo.updateTimeToLive(b -> b.tableName(TABLE)
                .timeToLiveSpecification(t -> t.enabled(true).attributeName("expiresAt")));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("a"), "state", s("QUEUED"))));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("b"), "state", s("RUNNING"))));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("b"), "state", s("QUEUED"))));
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s("c"), "state", s("QUEUED"))));
        dynamo.deleteItem(b -> b.tableName(TABLE).key(key("c")));

        // WHEN
        restart();

        // THEN
        assertThat(dynamo.listTables().tableNames()).containsExactly(TABLE);
        assertThat(dynamo.describeTimeToLive(b -> b.tableName(TABLE)).timeToLiveDescription().timeToLiveStatus())
                .isEqualTo(TimeToLiveStatus.ENABLED);
        assertThat(dynamo.query(b -> b.tableName(TABLE).indexName("by-state")
                .keyConditionExpression("#s = :s").expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(Map.of(":s", s("QUEUED")))).items())
                .extracting(item -> item.get("id").s()).containsExactlyInAnyOrder("a", "b");
        assertThat(dynamo.getItem(b -> b.tableName(TABLE).key(key("c"))).hasItem()).isFalse();
    }

    @Test
    void restartedTable_keepsItsStream_andRecordsNewChanges() {
        // GIVEN
        start(dataDirectory);
        String arn = createTable(StreamViewType.NEW_IMAGE);
        put("a", "1");

        // WHEN
        restart();
        put("b", "1");

        // THEN
        assertThat(dynamo.describeTable(b -> b.tableName(TABLE)).table().latestStreamArn()).isEqualTo(arn);
        assertThat(ids(readFromTrimHorizon(100))).containsExactly("b");
    }

    @Test
    void streamSwitchedOnByUpdateTable_recordsChanges_andStaysOnAfterRestart() {
        // GIVEN a table made without a stream, with an item written before the stream existed
        start(dataDirectory);
        dynamo.createTable(b -> b.tableName(TABLE).billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(d -> d.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH)));
        put("before", "1");

        // WHEN the stream is switched on, an item written, and the emulator restarted from its journal
        clock.advance(Duration.ofSeconds(1));
        String arn = dynamo.updateTable(b -> b.tableName(TABLE)
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)))
                .tableDescription().latestStreamArn();
        put("after", "1");
        List<String> beforeRestart = ids(readFromTrimHorizon(100));
        restart();
        put("restarted", "1");

        // THEN the stream has only what came after it was switched on, and it is still on after the restart
        assertThat(arn).startsWith("arn:aws:dynamodb:us-east-1:000000000000:table/jobs/stream/");
        assertThat(beforeRestart).containsExactly("after");
        assertThat(dynamo.describeTable(b -> b.tableName(TABLE)).table().latestStreamArn()).isEqualTo(arn);
        assertThat(ids(readFromTrimHorizon(100))).containsExactly("restarted");
    }

    @Test
    void tornLastJournalLine_isIgnoredAtRestart() throws IOException {
        // GIVEN a journal whose last line a crash cut short
        start(dataDirectory);
        createTable(StreamViewType.KEYS_ONLY);
        put("a", "1");
        emulator.close();
        Files.writeString(dataDirectory.resolve(Journal.FILE_NAME),
                "{\"op\":\"put\",\"table\":\"jobs\",\"item\":{\"id\":{\"S\":\"torn", StandardOpenOption.APPEND);

        // WHEN
        start(dataDirectory);

        // THEN
        assertThat(dynamo.scan(b -> b.tableName(TABLE)).items()).extracting(item -> item.get("id").s())
                .containsExactly("a");
    }

    @Test
    void restart_compactsAJournalOfManyOverwrites() throws IOException {
        // GIVEN one item written 200 times
        start(dataDirectory);
        createTable(StreamViewType.KEYS_ONLY);
        for (int i = 0; i < 200; i++) {
            put("a", Integer.toString(i));
        }
        long before = Files.size(dataDirectory.resolve(Journal.FILE_NAME));

        // WHEN
        restart();

        // THEN
        assertThat(Files.readAllLines(dataDirectory.resolve(Journal.FILE_NAME))).hasSize(2); // table + its item
        assertThat(Files.size(dataDirectory.resolve(Journal.FILE_NAME))).isLessThan(before / 10);
        assertThat(dynamo.getItem(b -> b.tableName(TABLE).key(key("a"))).item().get("v").s()).isEqualTo("199");
    }

    // ---- helpers ----

    private void start(Path directory) {
        emulator = DynamoEmulator.builder().host("127.0.0.1").port(0).dataDirectory(directory).clock(clock)
                .region("us-east-1").ttlSweepInterval(Duration.ofHours(1)).streamRetention(Duration.ofHours(24))
                .build().start();
        toClose.add(emulator);
        connect();
    }

    private void restart() {
        emulator.close();
        start(dataDirectory);
    }

    private void connect() {
        URI endpoint = emulator.endpoint();
        assertThat(endpoint.toString()).isEqualTo("http://127.0.0.1:" + emulator.port());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        dynamo = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        streams = DynamoDbStreamsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        toClose.add(dynamo);
        toClose.add(streams);
    }

    private String createTable(StreamViewType viewType) {
        return dynamo.createTable(b -> b.tableName(TABLE).billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(d -> d.attributeName("id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .streamSpecification(s -> s.streamEnabled(true).streamViewType(viewType)))
                .tableDescription().latestStreamArn();
    }

    private void put(String id, String value) {
        dynamo.putItem(b -> b.tableName(TABLE).item(Map.of("id", s(id), "v", s(value))));
    }

    /** Reads the table's stream as JobStreamPoller does: describe, shard, TRIM_HORIZON, pages until empty. */
    private List<Record> readFromTrimHorizon(int limit) {
        String arn = dynamo.describeTable(b -> b.tableName(TABLE)).table().latestStreamArn();
        String iterator = iterator(arn, shardId(arn), ShardIteratorType.TRIM_HORIZON, null);
        List<Record> records = new ArrayList<>();
        while (iterator != null) {
            String current = iterator;
            GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(current).limit(limit));
            assertThat(page.records().size()).isLessThanOrEqualTo(limit);
            records.addAll(page.records());
            iterator = page.records().isEmpty() ? null : page.nextShardIterator();
        }
        return records;
    }

    private List<Record> records(String arn, String shardId, ShardIteratorType type, String sequence) {
        String iterator = iterator(arn, shardId, type, sequence);
        return streams.getRecords(b -> b.shardIterator(iterator)).records();
    }

    private String iterator(String arn, String shardId, ShardIteratorType type, String sequence) {
        return streams.getShardIterator(b -> b.streamArn(arn).shardId(shardId).shardIteratorType(type)
                .sequenceNumber(sequence)).shardIterator();
    }

    private String shardId(String arn) {
        return streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().get(0).shardId();
    }

    private static List<String> ids(List<Record> records) {
        return records.stream().map(r -> r.dynamodb().keys().get("id").s()).toList();
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("id", s(id));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }
}
