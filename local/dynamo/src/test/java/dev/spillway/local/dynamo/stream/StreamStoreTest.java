package dev.spillway.local.dynamo.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.MovableClock;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

class StreamStoreTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/jobs/stream/2026-12-04T19:16:04.123";

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T19:16:05Z"));
    private final StreamStore store = new StreamStore(clock, "us-east-1", Duration.ofHours(24));

    @Test
    void itemChanged_producesInsertModifyRemove_withImagesOfTheViewType() {
        // GIVEN
        createTable("jobs", "NEW_AND_OLD_IMAGES");

        // WHEN
        store.itemChanged("jobs", null, item("a", "1"), false);
        store.itemChanged("jobs", item("a", "1"), item("a", "2"), false);
        store.itemChanged("jobs", item("a", "2"), null, false);

        // THEN
        List<JsonNode> records = readAll(iterator("TRIM_HORIZON", null));
        assertThat(records).extracting(r -> r.path("eventName").asText()).containsExactly("INSERT", "MODIFY", "REMOVE");
        JsonNode modify = records.get(1);
        assertThat(modify.path("dynamodb").path("Keys")).isEqualTo(json("{\"id\":{\"S\":\"a\"}}"));
        assertThat(modify.path("dynamodb").path("OldImage").path("v").path("S").asText()).isEqualTo("1");
        assertThat(modify.path("dynamodb").path("NewImage").path("v").path("S").asText()).isEqualTo("2");
        assertThat(modify.path("dynamodb").path("ApproximateCreationDateTime").asLong())
                .isEqualTo(clock.instant().getEpochSecond());
        assertThat(modify.path("eventSource").asText()).isEqualTo("aws:dynamodb");
        assertThat(modify.path("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(records.get(2).has("userIdentity")).isFalse();
    }

    @Test
    void keysOnlyStream_carriesNoImages() {
        // GIVEN
        createTable("jobs", "KEYS_ONLY");

        // WHEN
        store.itemChanged("jobs", item("a", "1"), item("a", "2"), false);

        // THEN
        JsonNode dynamodb = readAll(iterator("TRIM_HORIZON", null)).get(0).path("dynamodb");
        assertThat(dynamodb.has("NewImage")).isFalse();
        assertThat(dynamodb.has("OldImage")).isFalse();
        assertThat(dynamodb.path("StreamViewType").asText()).isEqualTo("KEYS_ONLY");
    }

    @Test
    void sequenceNumbers_areStrictlyIncreasingDecimalsOfAtLeast21Digits() {
        // GIVEN
        createTable("jobs", "NEW_IMAGE");

        // WHEN
        for (int i = 0; i < 5; i++) {
            store.itemChanged("jobs", null, item("k" + i, "v"), false);
        }

        // THEN
        List<String> sequences = readAll(iterator("TRIM_HORIZON", null)).stream()
                .map(r -> r.path("dynamodb").path("SequenceNumber").asText()).toList();
        assertThat(sequences).allSatisfy(s -> assertThat(s).matches("[1-9][0-9]{20,}"));
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(new BigInteger(sequences.get(i))).isGreaterThan(new BigInteger(sequences.get(i - 1)));
        }
    }

    @Test
    void timeToLiveRemoval_namesDynamoDbAsTheUser() {
        // GIVEN
        createTable("jobs", "OLD_IMAGE");

        // WHEN
        store.itemChanged("jobs", item("a", "1"), null, true);

        // THEN
        JsonNode record = readAll(iterator("TRIM_HORIZON", null)).get(0);
        assertThat(record.path("userIdentity")).isEqualTo(
                json("{\"Type\":\"Service\",\"PrincipalId\":\"dynamodb.amazonaws.com\"}"));
        assertThat(record.path("dynamodb").path("OldImage").isObject()).isTrue();
    }

    @Test
    void getShardIterator_positionsByType() {
        // GIVEN three records
        createTable("jobs", "NEW_IMAGE");
        for (int i = 0; i < 3; i++) {
            store.itemChanged("jobs", null, item("k" + i, "v"), false);
        }
        List<JsonNode> all = readAll(iterator("TRIM_HORIZON", null));
        String second = all.get(1).path("dynamodb").path("SequenceNumber").asText();

        // WHEN
        String latest = iterator("LATEST", null);
        store.itemChanged("jobs", null, item("k3", "v"), false);

        // THEN
        assertThat(keysOf(readAll(iterator("AT_SEQUENCE_NUMBER", second)))).containsExactly("k1", "k2", "k3");
        assertThat(keysOf(readAll(iterator("AFTER_SEQUENCE_NUMBER", second)))).containsExactly("k2", "k3");
        assertThat(keysOf(readAll(latest))).containsExactly("k3");
    }

    @Test
    void getRecords_pagesByLimit_andKeepsANextIteratorWhileEnabled() {
        // GIVEN
        createTable("jobs", "NEW_IMAGE");
        for (int i = 0; i < 5; i++) {
            store.itemChanged("jobs", null, item("k" + i, "v"), false);
        }

        // WHEN
        JsonNode first = getRecords(iterator("TRIM_HORIZON", null), 2);
        JsonNode second = getRecords(first.path("NextShardIterator").asText(), 2);
        JsonNode third = getRecords(second.path("NextShardIterator").asText(), 2);
        JsonNode empty = getRecords(third.path("NextShardIterator").asText(), 2);

        // THEN
        assertThat(first.path("Records")).hasSize(2);
        assertThat(second.path("Records")).hasSize(2);
        assertThat(third.path("Records")).hasSize(1);
        assertThat(empty.path("Records")).isEmpty();
        assertThat(empty.path("NextShardIterator").isTextual()).isTrue();
    }

    @Test
    void deletedTable_closesItsShardAfterTheLastRecord() {
        // GIVEN
        createTable("jobs", "NEW_IMAGE");
        store.itemChanged("jobs", null, item("a", "1"), false);

        // WHEN
        store.tableDeleted("jobs");

        // THEN
        JsonNode page = getRecords(iterator("TRIM_HORIZON", null), 100);
        assertThat(page.path("Records")).hasSize(1);
        assertThat(page.has("NextShardIterator")).isFalse();
        JsonNode description = handle("DescribeStream", "{\"StreamArn\":\"" + ARN + "\"}").path("StreamDescription");
        assertThat(description.path("StreamStatus").asText()).isEqualTo("DISABLED");
        assertThat(description.path("Shards").get(0).path("SequenceNumberRange").path("EndingSequenceNumber")
                .asText()).isEqualTo(page.path("Records").get(0).path("dynamodb").path("SequenceNumber").asText());
    }

    @Test
    void iterator_expiresAfterFifteenMinutes() {
        // GIVEN
        createTable("jobs", "NEW_IMAGE");
        String iterator = iterator("TRIM_HORIZON", null);

        // WHEN
        clock.advance(Duration.ofMinutes(16));

        // THEN
        assertThatThrownBy(() -> getRecords(iterator, 10)).isInstanceOfSatisfying(DynamoException.class,
                e -> assertThat(e.type()).isEqualTo("ExpiredIteratorException"));
    }

    @Test
    void recordsOlderThanTheRetention_areTrimmed_andAskingForThemFails() {
        // GIVEN an old record and a newer one
        createTable("jobs", "NEW_IMAGE");
        store.itemChanged("jobs", null, item("old", "v"), false);
        String oldSequence = readAll(iterator("TRIM_HORIZON", null)).get(0).path("dynamodb").path("SequenceNumber")
                .asText();
        clock.advance(Duration.ofHours(23));
        store.itemChanged("jobs", null, item("new", "v"), false);

        // WHEN the first passes the retention
        clock.advance(Duration.ofHours(1).plusMinutes(1));

        // THEN
        assertThatThrownBy(() -> iterator("AT_SEQUENCE_NUMBER", oldSequence))
                .isInstanceOfSatisfying(DynamoException.class,
                        e -> assertThat(e.type()).isEqualTo("TrimmedDataAccessException"));
        assertThat(keysOf(readAll(iterator("TRIM_HORIZON", null)))).containsExactly("new");
    }

    @Test
    void tableWithoutStream_producesNoStreamAndNoRecords() {
        // GIVEN
        ObjectNode description = (ObjectNode) json("{\"TableName\":\"plain\",\"KeySchema\":[{\"AttributeName\":\"id\","
                + "\"KeyType\":\"HASH\"}]}");
        store.tableCreated("plain", description);

        // WHEN
        store.itemChanged("plain", null, item("a", "1"), false);

        // THEN
        assertThat(handle("ListStreams", "{}").path("Streams")).isEmpty();
    }

    @Test
    void listStreams_filtersByTable_andPages() {
        // GIVEN
        createTable("jobs", "NEW_IMAGE");
        store.tableCreated("other", description("other",
                "arn:aws:dynamodb:us-east-1:000000000000:table/other/stream/2026-12-04T19:16:04.500", "KEYS_ONLY"));

        // WHEN
        JsonNode firstPage = handle("ListStreams", "{\"Limit\":1}");
        JsonNode secondPage = handle("ListStreams", "{\"Limit\":1,\"ExclusiveStartStreamArn\":\""
                + firstPage.path("LastEvaluatedStreamArn").asText() + "\"}");
        JsonNode filtered = handle("ListStreams", "{\"TableName\":\"other\"}");

        // THEN
        assertThat(firstPage.path("Streams")).hasSize(1);
        assertThat(secondPage.path("Streams")).hasSize(1);
        assertThat(secondPage.has("LastEvaluatedStreamArn")).isFalse();
        assertThat(filtered.path("Streams")).hasSize(1);
        assertThat(filtered.path("Streams").get(0).path("TableName").asText()).isEqualTo("other");
    }

    @Test
    void unknownStream_isResourceNotFound_andGarbageIteratorIsAValidationError() {
        assertThatThrownBy(() -> handle("DescribeStream", "{\"StreamArn\":\"arn:nope\"}"))
                .isInstanceOfSatisfying(DynamoException.class,
                        e -> assertThat(e.type()).isEqualTo("ResourceNotFoundException"));
        assertThatThrownBy(() -> getRecords("not-an-iterator!", 10)).isInstanceOfSatisfying(DynamoException.class,
                e -> assertThat(e.type()).isEqualTo("ValidationException"));
    }

    // ---- helpers ----

    private void createTable(String table, String viewType) {
        store.tableCreated(table, description(table, ARN, viewType));
    }

    private static ObjectNode description(String table, String arn, String viewType) {
        return (ObjectNode) json("{\"TableName\":\"" + table + "\",\"KeySchema\":[{\"AttributeName\":\"id\","
                + "\"KeyType\":\"HASH\"}],\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\""
                + viewType + "\"},\"LatestStreamArn\":\"" + arn + "\",\"LatestStreamLabel\":\""
                + arn.substring(arn.lastIndexOf('/') + 1) + "\"}");
    }

    private String iterator(String type, String sequence) {
        String shardId = handle("DescribeStream", "{\"StreamArn\":\"" + ARN + "\"}").path("StreamDescription")
                .path("Shards").get(0).path("ShardId").asText();
        String request = "{\"StreamArn\":\"" + ARN + "\",\"ShardId\":\"" + shardId + "\",\"ShardIteratorType\":\""
                + type + "\"" + (sequence == null ? "" : ",\"SequenceNumber\":\"" + sequence + "\"") + "}";
        return handle("GetShardIterator", request).path("ShardIterator").asText();
    }

    private List<JsonNode> readAll(String iterator) {
        List<JsonNode> records = new ArrayList<>();
        JsonNode page;
        do {
            page = getRecords(iterator, 1000);
            page.path("Records").forEach(records::add);
            iterator = page.path("NextShardIterator").asText(null);
        } while (iterator != null && !page.path("Records").isEmpty());
        return records;
    }

    private JsonNode getRecords(String iterator, int limit) {
        ObjectNode request = MAPPER.createObjectNode().put("ShardIterator", iterator).put("Limit", limit);
        return store.handle("GetRecords", request);
    }

    private JsonNode handle(String operation, String body) {
        return store.handle(operation, (ObjectNode) json(body));
    }

    private static List<String> keysOf(List<JsonNode> records) {
        return records.stream().map(r -> r.path("dynamodb").path("Keys").path("id").path("S").asText()).toList();
    }

    private static Map<String, AttributeValue> item(String id, String value) {
        return Map.of("id", new AttributeValue.S(id), "v", new AttributeValue.S(value));
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
