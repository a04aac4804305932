package dev.spillway.bench;

import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Sequential GetItem and PutItem through one AWS SDK v2 {@link DynamoDbClient} on one endpoint, each call timed
 * alone. Every GetItem must return {@link #ITEM} exactly; a call that throws or reads anything else is counted
 * as wrong, not timed.
 */
final class DynamoWorkload implements AutoCloseable {

    static final String TABLE = "spillway-bench";
    private static final String PAYLOAD = "a job record of about a hundred bytes, like the request summary the "
            + "intake stores";
    /** The item GetItem reads back, as DynamoDB's JSON (the floor answers it canned). */
    static final String ITEM_JSON = "{\"id\":{\"S\":\"bench-item\"},\"count\":{\"N\":\"42\"},\"payload\":{\"S\":\""
            + PAYLOAD + "\"}}";
    static final Map<String, AttributeValue> ITEM = Map.of("id", AttributeValue.fromS("bench-item"),
            "count", AttributeValue.fromN("42"), "payload", AttributeValue.fromS(PAYLOAD));
    private static final Map<String, AttributeValue> KEY = Map.of("id", AttributeValue.fromS("bench-item"));

    private final DynamoDbClient client;
    private final Timings gets = new Timings();
    private final Timings puts = new Timings();
    private int wrong;
    private String firstWrong;

    /** The client builds, owns and closes its HTTP client. */
    DynamoWorkload(URI endpoint, SdkHttpClient.Builder<?> http) {
        client = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(http).build();
    }

    /** Creates the table (where it is missing) and the item GetItem reads. */
    void prepare(boolean createTable) {
        if (createTable) {
            client.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()));
        }
        client.putItem(b -> b.tableName(TABLE).item(ITEM));
    }

    /** {@code calls} GetItems then {@code calls} PutItems, timed only when {@code timed}. */
    void run(int calls, boolean timed) {
        for (int i = 0; i < calls; i++) {
            long started = System.nanoTime();
            boolean right = getItem();
            record(gets, started, right, timed);
        }
        for (int i = 0; i < calls; i++) {
            Map<String, AttributeValue> item = new HashMap<>(ITEM);
            item.put("id", AttributeValue.fromS("put-" + (i % 1000)));
            long started = System.nanoTime();
            boolean right = putItem(item);
            record(puts, started, right, timed);
        }
    }

    private boolean getItem() {
        try {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(TABLE).key(KEY)).item();
            if (ITEM.equals(item)) {
                return true;
            }
            noteWrong("GetItem read " + item);
        } catch (RuntimeException e) {
            noteWrong("GetItem failed: " + e);
        }
        return false;
    }

    private boolean putItem(Map<String, AttributeValue> item) {
        try {
            client.putItem(b -> b.tableName(TABLE).item(item));
            return true;
        } catch (RuntimeException e) {
            noteWrong("PutItem failed: " + e);
            return false;
        }
    }

    private void record(Timings timings, long started, boolean right, boolean timed) {
        long took = System.nanoTime() - started;
        if (right && timed) {
            timings.add(took);
        }
    }

    private void noteWrong(String what) {
        wrong++;
        if (firstWrong == null) {
            firstWrong = what;
        }
    }

    Latencies gets() {
        return gets.latencies();
    }

    Latencies puts() {
        return puts.latencies();
    }

    int wrong() {
        return wrong;
    }

    String firstWrong() {
        return firstWrong;
    }

    @Override
    public void close() {
        client.close();
    }

    /** Timed calls gathered over several rounds. */
    private static final class Timings {
        private long[] nanos = new long[1024];
        private int count;
        private long total;

        void add(long took) {
            if (count == nanos.length) {
                nanos = Arrays.copyOf(nanos, count * 2);
            }
            nanos[count++] = took;
            total += took;
        }

        /** Throughput counts the calls' own time only, as the calls of one lane are interleaved with others. */
        Latencies latencies() {
            return new Latencies(Arrays.copyOf(nanos, count), total);
        }
    }
}
