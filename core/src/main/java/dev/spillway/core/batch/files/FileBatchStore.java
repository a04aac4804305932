package dev.spillway.core.batch.files;

import static dev.spillway.core.job.dynamo.DynamoTable.key;
import static dev.spillway.core.job.dynamo.DynamoTable.n;
import static dev.spillway.core.job.dynamo.DynamoTable.s;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.dynamo.DynamoBatchStore;
import dev.spillway.core.config.BatchesConfig;
import dev.spillway.core.job.dynamo.DynamoTable;
import io.quarkus.arc.properties.IfBuildProperty;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * What a file batch adds to its record in the batches table: who is reading its input and how far they got (a
 * lease and a checkpoint, so a retried or replayed delivery carries on rather than starting over), who writes its
 * result files and when they were written. Open file batches are also listed in one small item of the same table
 * ({@value #OPEN_ID}, a string set of batch ids), so finding them never scans the table.
 */
@ApplicationScoped
@IfBuildProperty(name = "spillway.files.enabled", stringValue = "true")
public class FileBatchStore {

    /** The item listing the file batches whose result files are not written yet. */
    static final String OPEN_ID = "open-file-batches";
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("#ingestOwner", "ingestOwner"), Map.entry("#ingestUntil", "ingestUntil"),
            Map.entry("#checkpoint", "ingestCheckpoint"), Map.entry("#writing", "ingestWriting"),
            Map.entry("#accepted", "accepted"), Map.entry("#total", "total"),
            Map.entry("#rejected", DynamoBatchStore.REJECTED),
            Map.entry("#outputsOwner", "outputsOwner"), Map.entry("#outputsUntil", "outputsUntil"),
            Map.entry("#written", DynamoBatchStore.OUTPUTS_WRITTEN),
            Map.entry("#outputKey", DynamoBatchStore.OUTPUT_KEY), Map.entry("#errorKey", DynamoBatchStore.ERROR_KEY),
            Map.entry("#ids", "ids"));

    private final DynamoDbClient dynamo;
    private final DynamoBatchStore batches;
    private final String table;
    private final DynamoTable updates;

    public FileBatchStore(DynamoDbClient dynamo, DynamoBatchStore batches, BatchesConfig config) {
        this.dynamo = dynamo;
        this.batches = batches;
        this.table = config.table();
        this.updates = new DynamoTable(dynamo, table, NAMES);
    }

    /** Where a reader of the input left off. */
    public record IngestState(long checkpoint, long writing) {
    }

    /** The owner lost its lease to another reader or writer, which carries on. */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(String batchId) {
            super("batch " + batchId + " was taken over by another reader");
        }
    }

    /**
     * Stores a new file batch and lists it as open (and among the open callbacks when it has one), atomically; false when the batch already exists (another
     * delivery of the same upload created it).
     */
    public boolean create(Batch batch) {
        List<TransactWriteItem> writes = new ArrayList<>(List.of(
                TransactWriteItem.builder().put(p -> p.tableName(table).item(batches.toItem(batch))
                        .conditionExpression("attribute_not_exists(id)")).build(),
                TransactWriteItem.builder().update(u -> u.tableName(table).key(key(OPEN_ID))
                        .updateExpression("ADD #ids :id")
                        .expressionAttributeNames(Map.of("#ids", "ids"))
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(batch.id())))))
                        .build()));
        if (batch.callbackUrl() != null) {
            writes.add(batches.listCallback(batch.id()));
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(writes));
            return true;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Takes (or renews) the right to read the batch's input until {@code until}; empty when the batch is already
     * accepted or another reader holds a live lease.
     */
    public Optional<IngestState> acquireIngest(String batchId, String owner, Instant now, Instant until) {
        return update(batchId, "SET #ingestOwner = :owner, #ingestUntil = :until",
                "attribute_exists(id) AND attribute_not_exists(#accepted) AND (attribute_not_exists(#ingestUntil) "
                        + "OR #ingestUntil < :now OR #ingestOwner = :owner)",
                Map.of(":owner", s(owner), ":until", n(until.toEpochMilli()), ":now", n(now.toEpochMilli())))
                .map(item -> new IngestState(number(item, "ingestCheckpoint"), number(item, "ingestWriting")));
    }

    /** Gives up the lease at once (the reader failed), so the next reader need not wait for it to lapse. */
    public void releaseIngest(String batchId, String owner) {
        update(batchId, "REMOVE #ingestOwner, #ingestUntil", "#ingestOwner = :owner", Map.of(":owner", s(owner)));
    }

    /** Records that the jobs of lines up to {@code line} are about to be written. */
    public void markWriting(String batchId, String owner, long line, Instant until) {
        require(batchId, update(batchId, "SET #writing = :line, #ingestUntil = :until", "#ingestOwner = :owner",
                Map.of(":owner", s(owner), ":line", n(line), ":until", n(until.toEpochMilli()))));
    }

    /** Records that the jobs of lines up to {@code line} ({@code total} jobs) are stored and queued. */
    public void checkpoint(String batchId, String owner, long line, int total, Instant until) {
        require(batchId, update(batchId, "SET #checkpoint = :line, #total = :total, #ingestUntil = :until",
                "#ingestOwner = :owner",
                Map.of(":owner", s(owner), ":line", n(line), ":total", n(total), ":until", n(until.toEpochMilli()))));
    }

    /** The whole input was read: the batch is accepted with its final counts, and the lease released. */
    public void markAccepted(String batchId, String owner, int total, int rejected, Instant now) {
        require(batchId, update(batchId,
                "SET #accepted = :now, #total = :total, #rejected = :rejected REMOVE #ingestOwner, #ingestUntil",
                "#ingestOwner = :owner AND attribute_not_exists(#accepted)",
                Map.of(":owner", s(owner), ":now", n(now.toEpochMilli()), ":total", n(total), ":rejected",
                        n(rejected))));
    }

    /** Takes the right to write the batch's result files until {@code until}; false when written or taken. */
    public boolean claimOutputs(String batchId, String owner, Instant now, Instant until) {
        return update(batchId, "SET #outputsOwner = :owner, #outputsUntil = :until",
                "attribute_exists(id) AND attribute_not_exists(#written) AND (attribute_not_exists(#outputsUntil) "
                        + "OR #outputsUntil < :now OR #outputsOwner = :owner)",
                Map.of(":owner", s(owner), ":until", n(until.toEpochMilli()), ":now", n(now.toEpochMilli())))
                .isPresent();
    }

    /**
     * Links the written result files to the batch, once: false when the owner lost its claim meanwhile.
     *
     * @param outputKey null when there is no output file; likewise {@code errorKey}
     */
    public boolean markOutputsWritten(String batchId, String owner, String outputKey, String errorKey,
            Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":now", n(now.toEpochMilli()));
        StringBuilder set = new StringBuilder("SET #written = :now");
        if (outputKey != null) {
            set.append(", #outputKey = :outputKey");
            values.put(":outputKey", s(outputKey));
        }
        if (errorKey != null) {
            set.append(", #errorKey = :errorKey");
            values.put(":errorKey", s(errorKey));
        }
        return update(batchId, set + " REMOVE #outputsOwner, #outputsUntil",
                "#outputsOwner = :owner AND attribute_not_exists(#written)", values).isPresent();
    }

    /** Ids of the file batches whose result files are not written yet. */
    public List<String> openIds() {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(OPEN_ID))
                .consistentRead(true)).item();
        return item == null || !item.containsKey("ids") ? List.of() : List.copyOf(item.get("ids").ss());
    }

    /** Takes the batch off the open list (it is finished, or gone). */
    public void close(String batchId) {
        dynamo.updateItem(b -> b.tableName(table).key(key(OPEN_ID)).updateExpression("DELETE #ids :id")
                .expressionAttributeNames(Map.of("#ids", "ids"))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(batchId)))));
    }

    private static void require(String batchId, Optional<?> updated) {
        if (updated.isEmpty()) {
            throw new LeaseLost(batchId);
        }
    }

    private Optional<Map<String, AttributeValue>> update(String id, String update, String condition,
            Map<String, AttributeValue> values) {
        return updates.update(id, update, condition, values);
    }

    private static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Long.parseLong(value.n());
    }
}
