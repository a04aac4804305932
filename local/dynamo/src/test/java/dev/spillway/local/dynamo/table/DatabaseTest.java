package dev.spillway.local.dynamo.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/** The database's own API, as the journal and the TTL sweeper use it. */
class DatabaseTest {

    private static final Instant NOW = Instant.parse("2026-12-04T19:16:04.123Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> heard = new ArrayList<>();
    private Database database;

    @BeforeEach
    void createDatabase() throws Exception {
        database = new Database(Clock.fixed(NOW, ZoneOffset.UTC), "eu-west-1");
        database.addListener(new ChangeListener() {
            @Override
            public void tableCreated(String table, ObjectNode description) {
                heard.add("created " + table);
            }

            @Override
            public void itemChanged(String table, Map<String, AttributeValue> oldImage,
                    Map<String, AttributeValue> newImage, boolean byTimeToLive) {
                heard.add((newImage == null ? "removed " : "wrote ") + table + (byTimeToLive ? " by ttl" : ""));
            }
        });
        handle("CreateTable", """
                {"TableName":"jobs","BillingMode":"PAY_PER_REQUEST",
                 "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
                 "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
                 "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}""");
        handle("UpdateTimeToLive", """
                {"TableName":"jobs","TimeToLiveSpecification":{"AttributeName":"expiresAt","Enabled":true}}""");
    }

    private ObjectNode handle(String operation, String body) throws Exception {
        return database.handle(operation, (ObjectNode) JSON.readTree(body));
    }

    private void put(String id, String expiresAt) throws Exception {
        handle("PutItem", "{\"TableName\":\"jobs\",\"Item\":{\"id\":{\"S\":\"" + id + "\"},\"expiresAt\":" + expiresAt
                + "}}");
    }

    @Test
    void createTable_labelsTheStreamWithTheClocksTime_andArnsCarryTheRegion() throws Exception {
        ObjectNode table = (ObjectNode) handle("DescribeTable", "{\"TableName\":\"jobs\"}").get("Table");

        assertThat(table.get("LatestStreamLabel").asText()).isEqualTo("2026-12-04T19:16:04.123");
        assertThat(table.get("LatestStreamArn").asText())
                .isEqualTo("arn:aws:dynamodb:eu-west-1:000000000000:table/jobs/stream/2026-12-04T19:16:04.123");
        assertThat(table.get("CreationDateTime").decimalValue()).isEqualByComparingTo("1796411764.123");
    }

    @Test
    void deleteExpired_removesOnlyNumericExpiriesDueAndNotAncient_tellingListenersItWasTtl() throws Exception {
        // GIVEN
        long now = NOW.getEpochSecond();
        put("due", "{\"N\":\"" + (now - 10) + "\"}");
        put("later", "{\"N\":\"" + (now + 10) + "\"}");
        put("text", "{\"S\":\"" + (now - 10) + "\"}");
        put("ancient", "{\"N\":\"" + (now - 6L * 365 * 24 * 3600) + "\"}");
        heard.clear();

        // WHEN
        int deleted = database.deleteExpired(NOW, 100);

        // THEN
        assertThat(deleted).isEqualTo(1);
        assertThat(heard).containsExactly("removed jobs by ttl");
        assertThat(handle("Scan", "{\"TableName\":\"jobs\"}").get("Count").asInt()).isEqualTo(3);
    }

    @Test
    void snapshot_thenRestoreIntoAFreshDatabase_recreatesTheSameTableAndItems() throws Exception {
        // GIVEN
        put("a", "{\"N\":\"1\"}");
        List<Database.TableSnapshot> snapshot = database.snapshot();
        Database restored = new Database(Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC), "eu-west-1");

        // WHEN
        for (Database.TableSnapshot table : snapshot) {
            restored.restoreTable(table.description());
            restored.restoreTimeToLive(table.description().get("TableName").asText(), table.timeToLiveAttribute());
            table.items().forEach(item -> restored.restoreItem("jobs", item));
        }

        // THEN
        ObjectNode original = (ObjectNode) handle("DescribeTable", "{\"TableName\":\"jobs\"}").get("Table");
        ObjectNode copy = (ObjectNode) restored.handle("DescribeTable",
                (ObjectNode) JSON.readTree("{\"TableName\":\"jobs\"}")).get("Table");
        assertThat(copy).isEqualTo(original);
        assertThat(snapshot.get(0).timeToLiveAttribute()).isEqualTo("expiresAt");
        assertThat(restored.handle("DescribeTimeToLive", (ObjectNode) JSON.readTree("{\"TableName\":\"jobs\"}"))
                .get("TimeToLiveDescription").get("AttributeName").asText()).isEqualTo("expiresAt");
    }

    @Test
    void removeItem_andDropTable_tellTheListeners() throws Exception {
        // GIVEN
        put("a", "{\"N\":\"1\"}");
        heard.clear();

        // WHEN
        database.removeItem("jobs", Map.of("id", AttributeValue.s("a")));
        database.dropTable("jobs");

        // THEN
        assertThat(heard).containsExactly("removed jobs");
        assertThatThrownBy(() -> handle("DescribeTable", "{\"TableName\":\"jobs\"}"))
                .isInstanceOfSatisfying(DynamoException.class,
                        e -> assertThat(e.type()).isEqualTo("ResourceNotFoundException"));
    }

    @Test
    void tableNames_areCheckedWithDynamoDbsMessages() {
        assertThatThrownBy(() -> handle("CreateTable", """
                {"TableName":"j!","BillingMode":"PAY_PER_REQUEST",
                 "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
                 "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}"""))
                .hasMessage("TableName must be at least 3 characters long and at most 255 characters long");
        assertThatThrownBy(() -> handle("DescribeTable", "{\"TableName\":\"jo!\"}"))
                .hasMessage("1 validation error detected: Value 'jo!' at 'tableName' failed to satisfy constraint: "
                        + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        assertThatThrownBy(() -> handle("PutItem", "{\"TableName\":\"j!\",\"Item\":{}}"))
                .hasMessage("2 validation errors detected: Value 'j!' at 'tableName' failed to satisfy constraint: "
                        + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'j!' at 'tableName' "
                        + "failed to satisfy constraint: Member must have length greater than or equal to 3");
    }

    @Test
    void query_whosePageEndsOnItsLimit_namesTheLastKeyEvenWhenNothingFollows() throws Exception {
        // GIVEN
        put("only", "{\"N\":\"1\"}");

        // WHEN
        ObjectNode page = handle("Query", """
                {"TableName":"jobs","KeyConditionExpression":"id = :id","Limit":1,
                 "ExpressionAttributeValues":{":id":{"S":"only"}}}""");

        // THEN
        assertThat(page.get("Count").asInt()).isEqualTo(1);
        assertThat(page.get("LastEvaluatedKey").toString()).isEqualTo("{\"id\":{\"S\":\"only\"}}");
    }

    @Test
    void listTables_pagesWithExclusiveStartTableName() throws Exception {
        // GIVEN
        for (String name : List.of("aaa", "bbb")) {
            handle("CreateTable", "{\"TableName\":\"" + name + "\",\"BillingMode\":\"PAY_PER_REQUEST\","
                    + "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
                    + "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}");
        }

        // WHEN
        ObjectNode first = handle("ListTables", "{\"Limit\":2}");
        ObjectNode second = handle("ListTables", "{\"Limit\":2,\"ExclusiveStartTableName\":\""
                + first.get("LastEvaluatedTableName").asText() + "\"}");

        // THEN
        assertThat(first.get("TableNames").toString()).isEqualTo("[\"aaa\",\"bbb\"]");
        assertThat(second.get("TableNames").toString()).isEqualTo("[\"jobs\"]");
        assertThat(second.has("LastEvaluatedTableName")).isFalse();
    }
    @Test
    void query_returnsRangeKeysInDynamoDbOrder_stringsByUtf8BytesAndNumbersNumerically() throws Exception {
        // GIVEN: a string beyond the BMP sorts after U+FFFF in UTF-8, though before it in Java's UTF-16 order
        handle("CreateTable", """
                {"TableName":"ordered","BillingMode":"PAY_PER_REQUEST",
                 "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},
                                         {"AttributeName":"r","AttributeType":"S"},
                                         {"AttributeName":"n","AttributeType":"N"}],
                 "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],
                 "GlobalSecondaryIndexes":[{"IndexName":"by-number",
                   "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],
                   "Projection":{"ProjectionType":"KEYS_ONLY"}}]}""");
        String[][] rows = {{"\\ud83d\\ude00", "10"}, {"\\uffff", "-1.5"}, {"a", "2"}};
        for (String[] row : rows) {
            handle("PutItem", "{\"TableName\":\"ordered\",\"Item\":{\"h\":{\"S\":\"x\"},\"r\":{\"S\":\"" + row[0]
                    + "\"},\"n\":{\"N\":\"" + row[1] + "\"}}}");
        }

        // WHEN
        ObjectNode byRange = handle("Query", """
                {"TableName":"ordered","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"x"}}}""");
        ObjectNode byNumber = handle("Query", """
                {"TableName":"ordered","IndexName":"by-number","KeyConditionExpression":"h = :h",
                 "ExpressionAttributeValues":{":h":{"S":"x"}},"ScanIndexForward":false}""");

        // THEN
        List<String> ranges = new ArrayList<>();
        byRange.get("Items").forEach(item -> ranges.add(item.get("r").get("S").asText()));
        List<String> numbers = new ArrayList<>();
        byNumber.get("Items").forEach(item -> numbers.add(item.get("n").get("N").asText()));
        assertThat(ranges).containsExactly("a", "\uffff", "\ud83d\ude00");
        assertThat(numbers).containsExactly("10", "2", "-1.5");
    }
    @Test
    void scan_stopsAPageAtOneMegabyte_andResumesFromItsLastKey() throws Exception {
        // GIVEN: five items of about 300 KB
        String filler = "x".repeat(300 * 1024);
        for (int i = 0; i < 5; i++) {
            handle("PutItem", "{\"TableName\":\"jobs\",\"Item\":{\"id\":{\"S\":\"big" + i + "\"},"
                    + "\"blob\":{\"S\":\"" + filler + "\"}}}");
        }

        // WHEN
        ObjectNode first = handle("Scan", "{\"TableName\":\"jobs\",\"Select\":\"COUNT\"}");
        ObjectNode second = handle("Scan", "{\"TableName\":\"jobs\",\"Select\":\"COUNT\",\"ExclusiveStartKey\":"
                + first.get("LastEvaluatedKey") + "}");

        // THEN
        assertThat(first.get("ScannedCount").asInt()).isEqualTo(4);
        assertThat(second.get("ScannedCount").asInt()).isEqualTo(1);
        assertThat(second.has("LastEvaluatedKey")).isFalse();
    }

    @Test
    void updateTable_changesTheBillingMode_switchesTheStreamOff_andRefusesToSwitchItOffTwice() throws Exception {
        // WHEN
        handle("UpdateTable", """
                {"TableName":"jobs","BillingMode":"PROVISIONED",
                 "ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":3}}""");

        // THEN
        ObjectNode table = (ObjectNode) handle("DescribeTable", "{\"TableName\":\"jobs\"}").get("Table");
        assertThat(table.get("BillingModeSummary").get("BillingMode").asText()).isEqualTo("PROVISIONED");
        assertThat(table.get("ProvisionedThroughput").get("WriteCapacityUnits").asInt()).isEqualTo(3);
        handle("UpdateTable", "{\"TableName\":\"jobs\",\"StreamSpecification\":{\"StreamEnabled\":false}}");
        assertThat(handle("DescribeTable", "{\"TableName\":\"jobs\"}").get("Table").get("StreamSpecification")
                .get("StreamEnabled").asBoolean()).isFalse();
        assertThatThrownBy(() -> handle("UpdateTable", """
                {"TableName":"jobs","StreamSpecification":{"StreamEnabled":false}}"""))
                .hasMessage("Table jobs does not have a stream enabled to disable");
    }
}
