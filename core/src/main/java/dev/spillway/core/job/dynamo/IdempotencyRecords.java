package dev.spillway.core.job.dynamo;

import static dev.spillway.core.job.dynamo.DynamoTable.key;
import static dev.spillway.core.job.dynamo.DynamoTable.n;
import static dev.spillway.core.job.dynamo.DynamoTable.s;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The idempotency table: an {@code Idempotency-Key} ({@code tenant#sha256(key)}) bound to the job or batch it made
 * and the hash of the request that made it, until it expires. Jobs and batches share one namespace: the record
 * keeps the id as {@code jobId} either way. An expired record may linger until DynamoDB's TTL sweeps it; it no
 * longer binds the key.
 */
public final class IdempotencyRecords {

    private static final String HOLDER = "jobId";
    private static final String REQUEST_HASH = "requestHash";

    /** What holds a key: the id it was recorded for and the hash of that request. */
    public record Holder(String id, String requestHash) {
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public IdempotencyRecords(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Records the key for {@code id} in a transaction, which fails if a live record holds the key. */
    public TransactWriteItem claim(String idempotencyId, String id, String requestHash, Instant now,
            Instant keyExpires) {
        return TransactWriteItem.builder().put(put(idempotencyId, id, requestHash, now, keyExpires)).build();
    }

    /**
     * Records the key for {@code id} on its own.
     *
     * @throws ConditionalCheckFailedException when a live record holds the key
     */
    public void record(String idempotencyId, String id, String requestHash, Instant now, Instant keyExpires) {
        Put put = put(idempotencyId, id, requestHash, now, keyExpires);
        dynamo.putItem(b -> b.tableName(put.tableName()).item(put.item())
                .conditionExpression(put.conditionExpression())
                .expressionAttributeNames(put.expressionAttributeNames())
                .expressionAttributeValues(put.expressionAttributeValues()));
    }

    private Put put(String idempotencyId, String id, String requestHash, Instant now, Instant keyExpires) {
        return Put.builder().tableName(table)
                .item(Map.of(DynamoJobStore.ID, s(idempotencyId), HOLDER, s(id), REQUEST_HASH, s(requestHash),
                        DynamoJobStore.EXPIRES_AT, n(keyExpires.getEpochSecond())))
                .conditionExpression("attribute_not_exists(id) OR #expires < :now")
                .expressionAttributeNames(Map.of("#expires", DynamoJobStore.EXPIRES_AT))
                .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond())))
                .build();
    }

    /** Who holds the key now (a consistent read), if anyone. */
    public Optional<Holder> holder(String idempotencyId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(idempotencyId))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Holder(item.get(HOLDER).s(), item.get(REQUEST_HASH).s()));
    }

    public void delete(String idempotencyId) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(idempotencyId)));
    }
}
