package dev.spillway.core.batch.dynamo;

import static dev.spillway.core.job.dynamo.DynamoTable.instant;
import static dev.spillway.core.job.dynamo.DynamoTable.key;
import static dev.spillway.core.job.dynamo.DynamoTable.n;
import static dev.spillway.core.job.dynamo.DynamoTable.s;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.spillway.core.batch.Batch;
import dev.spillway.core.batch.BatchProgress;
import dev.spillway.core.batch.BatchStore;
import dev.spillway.core.batch.FileSource;
import dev.spillway.core.config.BatchesConfig;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.core.job.dynamo.DynamoJobStore;
import dev.spillway.core.job.dynamo.DynamoTable;
import dev.spillway.core.job.dynamo.IdempotencyRecords;
import dev.spillway.core.job.dynamo.WebhookRecords;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@link BatchStore} on DynamoDB: batch records in their own table (listed per tenant through its
 * {@code tenant-created-index}), progress and results read from the jobs table's {@code batch-index}.
 */
@ApplicationScoped
public class DynamoBatchStore implements BatchStore {

    /** GSI of the batches table listing one tenant's batches newest first. */
    public static final String TENANT_CREATED_INDEX = "tenant-created-index";
    /** Attributes of a batch read from an S3 object ({@link FileSource}); absent on API batches. */
    public static final String FILE_BUCKET = "fileBucket";
    public static final String FILE_KEY = "fileKey";
    public static final String FILE_VERSION = "fileVersion";
    public static final String REJECTED = "rejected";
    public static final String OUTPUT_KEY = "outputKey";
    public static final String ERROR_KEY = "errorKey";
    public static final String OUTPUTS_WRITTEN = "outputsWritten";
    /**
     * The item listing the batches that asked for a webhook whose delivery is not settled yet (a string set
     * {@code ids}), so the batch webhooks task never scans the table. A batch is added in the write that creates it.
     */
    public static final String OPEN_CALLBACKS_ID = "open-callback-batches";
    private static final String IDS = "ids";
    private static final String ID = DynamoJobStore.ID;
    private static final String EXPIRES_AT = DynamoJobStore.EXPIRES_AT;

    private final DynamoDbClient dynamo;
    private final String table;
    /** Only the webhook record is updated conditionally here; the batch-file store has its own placeholders. */
    private final DynamoTable webhookUpdates;
    private final String jobsTable;
    private final IdempotencyRecords keys;
    private final Duration retention;
    private final DynamoJobStore jobs;

    @Inject
    public DynamoBatchStore(DynamoDbClient dynamo, BatchesConfig batches, JobsConfig jobsConfig, DynamoJobStore jobs) {
        this.dynamo = dynamo;
        this.table = batches.table();
        this.webhookUpdates = new DynamoTable(dynamo, table, WebhookRecords.NAMES);
        this.jobsTable = jobsConfig.table();
        this.keys = new IdempotencyRecords(dynamo, jobsConfig.idempotencyTable());
        this.retention = jobsConfig.retention();
        this.jobs = jobs;
    }

    @Override
    public void create(Batch batch) {
        if (batch.callbackUrl() == null) {
            dynamo.putItem(b -> b.tableName(table).item(toItem(batch)).conditionExpression("attribute_not_exists(id)"));
            return;
        }
        dynamo.transactWriteItems(b -> b.transactItems(
                TransactWriteItem.builder().put(p -> p.tableName(table).item(toItem(batch))
                        .conditionExpression("attribute_not_exists(id)")).build(),
                listCallback(batch.id())));
    }

    /** Adds the batch to the {@value #OPEN_CALLBACKS_ID} list, as part of a transaction. */
    public TransactWriteItem listCallback(String batchId) {
        return TransactWriteItem.builder().update(u -> u.tableName(table).key(key(OPEN_CALLBACKS_ID))
                .updateExpression("ADD #ids :id")
                .expressionAttributeNames(Map.of("#ids", IDS))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(batchId))))).build();
    }

    @Override
    public KeyUse createIdempotent(Batch batch, String idempotencyId, String requestHash, Instant keyExpires) {
        List<TransactWriteItem> writes = new ArrayList<>(List.of(
                TransactWriteItem.builder().put(p -> p.tableName(table).item(toItem(batch))
                        .conditionExpression("attribute_not_exists(id)")).build(),
                keys.claim(idempotencyId, batch.id(), requestHash, batch.created(), keyExpires)));
        if (batch.callbackUrl() != null) {
            writes.add(listCallback(batch.id()));
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(writes));
            return new KeyUse(true, batch.id(), requestHash);
        } catch (TransactionCanceledException e) {
            return earlierUse(idempotencyId).orElseThrow(() -> e);
        }
    }

    @Override
    public KeyUse recordKey(String idempotencyId, String batchId, String requestHash, Instant now,
            Instant keyExpires) {
        try {
            keys.record(idempotencyId, batchId, requestHash, now, keyExpires);
            return new KeyUse(true, batchId, requestHash);
        } catch (ConditionalCheckFailedException e) {
            return earlierUse(idempotencyId).orElseThrow(() -> e);
        }
    }

    private Optional<KeyUse> earlierUse(String idempotencyId) {
        return keys.holder(idempotencyId).map(holder -> new KeyUse(false, holder.id(), holder.requestHash()));
    }

    @Override
    public Optional<Batch> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(id))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toBatch(item));
    }

    @Override
    public void markAccepted(String id, Instant now) {
        dynamo.updateItem(b -> b.tableName(table).key(key(id))
                .updateExpression("SET accepted = :now").conditionExpression("attribute_exists(id)")
                .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()))));
    }

    @Override
    public Batch requestCancel(String id, Instant now) {
        return toBatch(dynamo.updateItem(b -> b.tableName(table).key(key(id))
                .updateExpression("SET cancelRequested = if_not_exists(cancelRequested, :now)")
                .conditionExpression("attribute_exists(id)")
                .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli())))
                .returnValues(ReturnValue.ALL_NEW)).attributes());
    }

    @Override
    public void withdraw(String id, String idempotencyId) {
        Map<String, AttributeValue> old = dynamo.deleteItem(b -> b.tableName(table).key(key(id))
                .returnValues(ReturnValue.ALL_OLD)).attributes();
        if (old != null && old.containsKey(DynamoJobStore.CALLBACK_URL)) {
            unlistCallback(id);
        }
        if (idempotencyId != null) {
            keys.delete(idempotencyId);
        }
    }

    @Override
    public List<String> openCallbackIds() {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(key(OPEN_CALLBACKS_ID)).consistentRead(true)).item();
        return item == null || !item.containsKey(IDS) ? List.of() : List.copyOf(item.get(IDS).ss());
    }

    @Override
    public void unlistCallback(String batchId) {
        dynamo.updateItem(b -> b.tableName(table).key(key(OPEN_CALLBACKS_ID))
                .updateExpression("DELETE #ids :id")
                .expressionAttributeNames(Map.of("#ids", IDS))
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromSs(List.of(batchId)))));
    }

    @Override
    public Optional<Batch> claimWebhook(String id, String owner, Instant now, Instant leaseUntil) {
        return webhookUpdates.update(id, WebhookRecords.CLAIM, WebhookRecords.CLAIMABLE,
                WebhookRecords.claimValues(owner, now, leaseUntil)).map(DynamoBatchStore::toBatch);
    }

    @Override
    public boolean recordWebhook(String id, String owner, WebhookDelivery delivery) {
        Map<String, AttributeValue> values = new HashMap<>();
        String update = WebhookRecords.recordUpdate(owner, delivery, values);
        return webhookUpdates.update(id, update, WebhookRecords.HELD, values).isPresent();
    }

    @Override
    public BatchPage list(String tenant, Batch after, int limit) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(TENANT_CREATED_INDEX)
                .keyConditionExpression("tenant = :tenant")
                .expressionAttributeValues(Map.of(":tenant", s(tenant)))
                .scanIndexForward(false)
                .limit(limit + 1);
        if (after != null) {
            query.exclusiveStartKey(Map.of(ID, s(after.id()), "tenant", s(after.tenant()), "created",
                    n(after.created().toEpochMilli())));
        }
        List<Batch> batches = new ArrayList<>();
        for (Map<String, AttributeValue> item : dynamo.query(query.build()).items()) {
            batches.add(toBatch(item));
        }
        boolean hasMore = batches.size() > limit;
        return new BatchPage(hasMore ? batches.subList(0, limit) : batches, hasMore);
    }

    @Override
    public BatchProgress progress(String batchId) {
        Map<JobStatus, Integer> counted = new EnumMap<>(JobStatus.class);
        Instant lastFinished = null;
        for (QueryResponse page : dynamo.queryPaginator(jobsOf(batchId)
                .projectionExpression("#status, #finished")
                .expressionAttributeNames(Map.of("#batch", DynamoJobStore.BATCH_ID, "#status", "status",
                        "#finished", "finished"))
                .build())) {
            for (Map<String, AttributeValue> item : page.items()) {
                counted.merge(JobStatus.valueOf(item.get("status").s()), 1, Integer::sum);
                AttributeValue finished = item.get("finished");
                if (finished != null) {
                    Instant at = Instant.ofEpochMilli(Long.parseLong(finished.n()));
                    lastFinished = lastFinished == null || at.isAfter(lastFinished) ? at : lastFinished;
                }
            }
        }
        return new BatchProgress(counted, lastFinished);
    }

    @Override
    public void forEachJob(String batchId, Consumer<Job> action) {
        for (QueryResponse page : dynamo.queryPaginator(jobsOf(batchId)
                .expressionAttributeNames(Map.of("#batch", DynamoJobStore.BATCH_ID)).build())) {
            page.items().forEach(item -> action.accept(jobs.toJob(item)));
        }
    }

    @Override
    public List<String> unfinishedJobIds(String batchId) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":batch", s(batchId));
        values.put(":queued", s(JobStatus.QUEUED.name()));
        values.put(":running", s(JobStatus.RUNNING.name()));
        List<String> ids = new ArrayList<>();
        for (QueryResponse page : dynamo.queryPaginator(jobsOf(batchId)
                .filterExpression("#status IN (:queued, :running)")
                .projectionExpression("#id")
                .expressionAttributeNames(Map.of("#batch", DynamoJobStore.BATCH_ID, "#status", "status", "#id", ID))
                .expressionAttributeValues(values)
                .build())) {
            page.items().forEach(item -> ids.add(item.get(ID).s()));
        }
        return ids;
    }

    private QueryRequest.Builder jobsOf(String batchId) {
        return QueryRequest.builder().tableName(jobsTable).indexName(DynamoJobStore.BATCH_INDEX)
                .keyConditionExpression("#batch = :batch")
                .expressionAttributeValues(Map.of(":batch", s(batchId)));
    }

    /** The item of a new batch (not yet accepted). */
    public Map<String, AttributeValue> toItem(Batch batch) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, s(batch.id()));
        item.put("tenant", s(batch.tenant()));
        item.put("endpoint", s(batch.endpoint()));
        item.put("completionWindow", s(batch.completionWindow()));
        if (!batch.metadata().isEmpty()) {
            Map<String, AttributeValue> metadata = new HashMap<>();
            batch.metadata().forEach((key, value) -> metadata.put(key, s(value)));
            item.put("metadata", AttributeValue.fromM(metadata));
        }
        item.put("total", n(batch.total()));
        item.put("created", n(batch.created().toEpochMilli()));
        item.put("deadline", n(batch.deadline().toEpochMilli()));
        // Kept as long as the jobs it reports on.
        item.put(EXPIRES_AT, n(batch.deadline().plus(retention).getEpochSecond()));
        if (batch.file() != null) {
            item.put(FILE_BUCKET, s(batch.file().bucket()));
            item.put(FILE_KEY, s(batch.file().inputKey()));
            item.put(FILE_VERSION, s(batch.file().version()));
            item.put(REJECTED, n(batch.file().rejected()));
        }
        if (batch.callbackUrl() != null) {
            item.put(DynamoJobStore.CALLBACK_URL, s(batch.callbackUrl()));
        }
        return item;
    }

    public static Batch toBatch(Map<String, AttributeValue> item) {
        Map<String, String> metadata = new HashMap<>();
        if (item.containsKey("metadata")) {
            item.get("metadata").m().forEach((key, value) -> metadata.put(key, value.s()));
        }
        return new Batch(item.get(ID).s(), item.get("tenant").s(), item.get("endpoint").s(),
                item.get("completionWindow").s(), metadata, Integer.parseInt(item.get("total").n()),
                instant(item, "created"), instant(item, "deadline"), instant(item, "accepted"),
                instant(item, "cancelRequested"), toFileSource(item),
                item.containsKey(DynamoJobStore.CALLBACK_URL) ? item.get(DynamoJobStore.CALLBACK_URL).s() : null,
                WebhookRecords.read(item));
    }

    private static FileSource toFileSource(Map<String, AttributeValue> item) {
        if (!item.containsKey(FILE_KEY)) {
            return null;
        }
        return new FileSource(item.get(FILE_BUCKET).s(), item.get(FILE_KEY).s(), item.get(FILE_VERSION).s(),
                item.containsKey(REJECTED) ? Integer.parseInt(item.get(REJECTED).n()) : 0,
                item.containsKey(OUTPUT_KEY) ? item.get(OUTPUT_KEY).s() : null,
                item.containsKey(ERROR_KEY) ? item.get(ERROR_KEY).s() : null, instant(item, OUTPUTS_WRITTEN));
    }
}
