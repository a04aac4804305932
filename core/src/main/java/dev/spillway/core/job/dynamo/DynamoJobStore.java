package dev.spillway.core.job.dynamo;

import static dev.spillway.core.job.dynamo.DynamoTable.instant;
import static dev.spillway.core.job.dynamo.DynamoTable.key;
import static dev.spillway.core.job.dynamo.DynamoTable.n;
import static dev.spillway.core.job.dynamo.DynamoTable.s;
import static dev.spillway.core.job.dynamo.DynamoTable.str;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.config.JobsConfig;
import dev.spillway.core.config.MergeConfig;
import dev.spillway.core.fault.RetryBackoff;
import dev.spillway.core.job.BatchLine;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.WebhookDelivery;
import dev.spillway.core.merge.GroupCommit;
import dev.spillway.core.metrics.SpillwayMetrics;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@link JobStore} on a DynamoDB table keyed by {@code id}, each transition a conditional update. With merging on,
 * concurrent {@link #create}s leave together in {@code BatchWriteItem} calls.
 */
@ApplicationScoped
public class DynamoJobStore implements JobStore {

    /** Attribute names, shared with the table definitions in the local emulators and the CDK app. */
    public static final String ID = "id";
    public static final String EXPIRES_AT = "expiresAt";
    /** GSI over a batch's jobs ({@code batchId}, ordered by {@code batchIndex}); only batch jobs carry its keys. */
    public static final String BATCH_INDEX = "batch-index";
    public static final String BATCH_ID = "batchId";
    public static final String BATCH_LINE = "batchIndex";
    public static final String CUSTOM_ID = "customId";
    /**
     * Sparse GSI over RUNNING jobs ({@code leaseShard}, ordered by {@code leaseUntil}): the reaper's lapsed leases.
     * {@code leaseShard} exists only while the job is RUNNING; every transition sets or removes it in the same
     * conditional update that changes the status.
     */
    public static final String LEASE_INDEX = "lease-index";
    public static final String LEASE_SHARD = "leaseShard";
    public static final String LEASE_UNTIL = "leaseUntil";
    /**
     * Sparse GSI over QUEUED jobs ({@code queuedShard}, ordered by {@code deadline}): the reaper's overdue jobs.
     * {@code queuedShard} exists only while the job is QUEUED.
     */
    public static final String DEADLINE_INDEX = "deadline-index";
    public static final String QUEUED_SHARD = "queuedShard";
    public static final String DEADLINE = "deadline";
    /** When the intake expected the job to finish as it queued it (epoch millis); absent without an estimate. */
    static final String ESTIMATED_FINISH_AT = "estimatedFinishAt";
    /**
     * Partitions of each sparse index, so its writes and queries spread instead of landing on one hot partition.
     * Fixed: changing it would strand jobs under shards no query reads.
     */
    static final int SHARDS = 4;
    /** Webhook target; {@link WebhookRecords} keeps the record of its delivery beside it. */
    public static final String CALLBACK_URL = "callbackUrl";

    /** DynamoDB takes at most 25 writes per {@code BatchWriteItem}. */
    static final int MAX_BATCH_WRITES = 25;
    /** Calls per batch: the first, and retries of the items DynamoDB left unprocessed (throttling). */
    private static final int MAX_BATCH_ATTEMPTS = 4;
    private static final RetryBackoff UNPROCESSED_BACKOFF = new RetryBackoff(Duration.ofMillis(25),
            Duration.ofMillis(100));
    private static final String DOWNSTREAM = "dynamodb-create";

    private static final Map<String, String> NAMES = names();

    private static Map<String, String> names() {
        Map<String, String> names = new HashMap<>(Map.ofEntries(
                Map.entry("#status", "status"), Map.entry("#owner", "leaseOwner"), Map.entry("#until", "leaseUntil"),
                Map.entry("#started", "started"), Map.entry("#finished", "finished"),
                Map.entry("#attempts", "attempts"), Map.entry("#result", "result"), Map.entry("#expires", EXPIRES_AT),
                Map.entry("#tenant", "tenant"), Map.entry("#errMessage", "errorMessage"),
                Map.entry("#errType", "errorType"), Map.entry("#errCode", "errorCode"),
                Map.entry("#errStatus", "errorStatus"), Map.entry("#promptTokens", "promptTokens"),
                Map.entry("#completionTokens", "completionTokens"), Map.entry("#leaseShard", LEASE_SHARD),
                Map.entry("#queuedShard", QUEUED_SHARD), Map.entry("#deadline", DEADLINE)));
        names.putAll(WebhookRecords.NAMES);
        return names;
    }

    private final DynamoDbClient dynamo;
    private final DynamoTable table;
    private final IdempotencyRecords keys;
    private final Duration retention;
    private final ObjectMapper json;
    private final IntConsumer createCalls;
    /** Null when merging is off. */
    private final GroupCommit<String, Job> createMerger;

    @Inject
    public DynamoJobStore(DynamoDbClient dynamo, JobsConfig config, ObjectMapper json, MergeConfig merge,
            SpillwayMetrics metrics) {
        this(dynamo, config.table(), config.idempotencyTable(), config.retention(), json,
                merge.enabled() ? merge.maxConcurrentCalls() : 0, metrics);
    }

    /** One call per create, unmetered. */
    public DynamoJobStore(DynamoDbClient dynamo, String table, String idempotencyTable, Duration retention,
            ObjectMapper json) {
        this(dynamo, table, idempotencyTable, retention, json, 0, null);
    }

    /**
     * @param mergeConcurrency batch calls in flight at once when merging concurrent creates; 0 writes each alone
     * @param metrics where each create call's size is recorded, or null
     */
    public DynamoJobStore(DynamoDbClient dynamo, String table, String idempotencyTable, Duration retention,
            ObjectMapper json, int mergeConcurrency, SpillwayMetrics metrics) {
        this.dynamo = dynamo;
        this.table = new DynamoTable(dynamo, table, NAMES);
        this.keys = new IdempotencyRecords(dynamo, idempotencyTable);
        this.retention = retention;
        this.json = json;
        this.createCalls = metrics == null ? items -> {
        } : items -> metrics.writeCall(DOWNSTREAM, items);
        this.createMerger = mergeConcurrency > 0
                ? new GroupCommit<>(MAX_BATCH_WRITES, mergeConcurrency, Job::id, this::createAll)
                : null;
    }

    /** Merged with concurrent creates when merging is on; see {@link #createAll} for why that is safe. */
    @Override
    public void create(Job job) {
        if (createMerger != null) {
            createMerger.submit(job);
        } else {
            createOne(job);
        }
    }

    private void createOne(Job job) {
        createCalls.accept(1);
        dynamo.putItem(b -> b.tableName(table.name()).item(toItem(job))
                .conditionExpression("attribute_not_exists(id)"));
    }

    /**
     * {@code BatchWriteItem}, 25 a call; items DynamoDB leaves unprocessed are retried with back-off, and those
     * still unwritten fail alone. A call DynamoDB refuses whole as invalid (an item over 400 KB, say) is redone one
     * create per job, so only the bad job fails.
     *
     * <p>A batched put cannot carry the {@code attribute_not_exists(id)} condition of a single create, so it would
     * overwrite an item with the same id. That is safe here only because every job id is fresh: 130 random bits
     * from {@link JobIds#next()}, drawn moments before, so no stored job can have it. Creates whose uniqueness is
     * the point (the idempotent create's transaction) and state transitions are never batched.
     */
    @Override
    public Map<String, RuntimeException> createAll(List<Job> jobs) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        if (jobs.size() == 1) {
            // Alone, the plain conditional put: same cost, and it keeps the duplicate-id check.
            try {
                createOne(jobs.get(0));
            } catch (RuntimeException e) {
                failures.put(jobs.get(0).id(), e);
            }
            return failures;
        }
        for (int from = 0; from < jobs.size(); from += MAX_BATCH_WRITES) {
            failures.putAll(writeBatch(jobs.subList(from, Math.min(jobs.size(), from + MAX_BATCH_WRITES))));
        }
        return failures;
    }

    private Map<String, RuntimeException> writeBatch(List<Job> jobs) {
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        Map<String, Job> byId = new LinkedHashMap<>();
        List<WriteRequest> pending = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            try {
                pending.add(WriteRequest.builder().putRequest(p -> p.item(toItem(job))).build());
                byId.put(job.id(), job);
            } catch (RuntimeException unwritable) {
                failures.put(job.id(), unwritable);
            }
        }
        try {
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                List<WriteRequest> requests = pending;
                createCalls.accept(requests.size());
                pending = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table.name(), requests)))
                        .unprocessedItems().getOrDefault(table.name(), List.of());
                if (!pending.isEmpty() && (attempt == MAX_BATCH_ATTEMPTS || !UNPROCESSED_BACKOFF.pause(attempt))) {
                    for (WriteRequest left : pending) {
                        failures.put(idOf(left), DynamoDbException.builder().message(
                                "DynamoDB left the job unwritten (throttled) after " + attempt + " attempts").build());
                    }
                    return failures;
                }
            }
        } catch (DynamoDbException refused) {
            if (!isValidationError(refused)) {
                pending.forEach(left -> failures.put(idOf(left), refused));
                return failures;
            }
            for (WriteRequest left : pending) {
                Job job = byId.get(idOf(left));
                try {
                    createOne(job);
                } catch (RuntimeException e) {
                    failures.put(job.id(), e);
                }
            }
        } catch (RuntimeException unreachable) {
            pending.forEach(left -> failures.put(idOf(left), unreachable));
        }
        return failures;
    }

    private static String idOf(WriteRequest request) {
        return request.putRequest().item().get(ID).s();
    }

    private static boolean isValidationError(DynamoDbException e) {
        return e.awsErrorDetails() != null && "ValidationException".equals(e.awsErrorDetails().errorCode());
    }

    @Override
    public IdempotentCreate createIdempotent(Job job, String idempotencyId, String requestHash, Instant keyExpires) {
        try {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(p -> p.tableName(table.name()).item(toItem(job))
                            .conditionExpression("attribute_not_exists(id)")).build(),
                    keys.claim(idempotencyId, job.id(), requestHash, job.created(), keyExpires)));
            return new IdempotentCreate(true, job.id(), requestHash);
        } catch (TransactionCanceledException e) {
            IdempotencyRecords.Holder earlier = keys.holder(idempotencyId).orElseThrow(() -> e);
            return new IdempotentCreate(false, earlier.id(), earlier.requestHash());
        }
    }

    private Map<String, AttributeValue> toItem(Job job) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, s(job.id()));
        item.put("tenant", s(job.tenant()));
        item.put("status", s(job.status().name()));
        item.put("tier", s(job.tier().name()));
        item.put("model", s(job.model()));
        item.put("request", s(write(job.request())));
        if (job.cacheKey() != null) {
            item.put("cacheKey", s(job.cacheKey()));
        }
        item.put("created", n(job.created().toEpochMilli()));
        item.put("deadline", n(job.deadline().toEpochMilli()));
        item.put("attempts", n(0));
        if (job.status() == JobStatus.QUEUED) {
            item.put(QUEUED_SHARD, shard(job.id()));
        }
        if (job.batchLine() != null) {
            item.put(BATCH_ID, s(job.batchLine().batchId()));
            item.put(CUSTOM_ID, s(job.batchLine().customId()));
            item.put(BATCH_LINE, n(job.batchLine().index()));
        }
        if (job.callbackUrl() != null) {
            item.put(CALLBACK_URL, s(job.callbackUrl()));
        }
        if (job.estimatedFinishAt() != null) {
            item.put(ESTIMATED_FINISH_AT, n(job.estimatedFinishAt().toEpochMilli()));
        }
        return item;
    }

    @Override
    public Optional<Job> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table.name()).key(key(id))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toJob(item));
    }

    @Override
    public void withdraw(String id, String idempotencyId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table.name()).key(key(id)).conditionExpression("#status = :queued")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":queued", s(JobStatus.QUEUED.name()))));
        } catch (ConditionalCheckFailedException alreadyPickedUp) {
            // A worker found it after all: the job will complete, and its key keeps pointing at it.
            return;
        }
        if (idempotencyId != null) {
            keys.delete(idempotencyId);
        }
    }

    @Override
    public Optional<Job> claim(String id, String owner, Instant now, Instant leaseUntil) {
        return update(id,
                "SET #status = :running, #owner = :owner, #until = :until, #started = if_not_exists(#started, :now), "
                        + "#attempts = #attempts + :one, #leaseShard = :shard REMOVE #queuedShard",
                "attribute_exists(id) AND (#status = :queued OR (#status = :running AND #until < :now))",
                Map.of(":running", status(JobStatus.RUNNING), ":queued", status(JobStatus.QUEUED), ":owner", s(owner),
                        ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":one", n(1),
                        ":shard", shard(id)));
    }

    @Override
    public boolean extendLease(String id, String owner, Instant leaseUntil) {
        return update(id, "SET #until = :until", "#status = :running AND #owner = :owner",
                Map.of(":running", status(JobStatus.RUNNING), ":owner", s(owner), ":until",
                        n(leaseUntil.toEpochMilli())))
                .isPresent();
    }

    @Override
    public Optional<Job> succeed(String id, String owner, ChatCompletion result, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(finalValues(JobStatus.SUCCEEDED, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":owner", s(owner));
        values.put(":result", s(write(result)));
        String usage = "";
        if (result.usage() != null) {
            values.put(":pt", n(result.usage().promptTokens()));
            values.put(":ct", n(result.usage().completionTokens()));
            usage = ", #promptTokens = :pt, #completionTokens = :ct";
        }
        return update(id, "SET #status = :final, #finished = :now, #expires = :expires, #result = :result" + usage
                + " REMOVE " + LEAVE_UNFINISHED, "#status = :running AND #owner = :owner", values);
    }

    @Override
    public Optional<Job> fail(String id, String owner, JobError error, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(failureValues(error, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":owner", s(owner));
        return update(id, FAILURE_UPDATE, "#status = :running AND #owner = :owner", values);
    }

    @Override
    public boolean failUnfinished(String id, JobError error, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(failureValues(error, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":queued", status(JobStatus.QUEUED));
        return update(id, FAILURE_UPDATE, "#status IN (:queued, :running)", values).isPresent();
    }

    /** What a final transition removes: the lease and both sparse index keys (whichever state it leaves). */
    private static final String LEAVE_UNFINISHED = "#owner, #until, #leaseShard, #queuedShard";

    private static final String FAILURE_UPDATE = "SET #status = :final, #finished = :now, #expires = :expires, "
            + "#errMessage = :errMessage, #errType = :errType, #errCode = :errCode, #errStatus = :errStatus "
            + "REMOVE " + LEAVE_UNFINISHED;

    private Map<String, AttributeValue> failureValues(JobError error, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(finalValues(JobStatus.FAILED, now));
        values.put(":errMessage", s(error.message()));
        values.put(":errType", s(error.type()));
        values.put(":errCode", s(error.code()));
        values.put(":errStatus", n(error.status()));
        return values;
    }

    @Override
    public boolean release(String id, String owner) {
        return update(id, "SET #status = :queued, #queuedShard = :shard REMOVE #owner, #until, #leaseShard",
                "#status = :running AND #owner = :owner",
                Map.of(":running", status(JobStatus.RUNNING), ":queued", status(JobStatus.QUEUED), ":owner", s(owner),
                        ":shard", shard(id)))
                .isPresent();
    }

    /**
     * The lease must still be exactly the one the reaper saw (owner and end), and lapsed: of concurrent reapers
     * holding the same candidate, one write wins, and a worker that claimed the job since is left alone.
     */
    @Override
    public boolean reclaim(String id, String owner, Instant leaseUntil, Instant now) {
        return update(id, "SET #status = :queued, #queuedShard = :shard REMOVE #owner, #until, #leaseShard",
                "#status = :running AND #owner = :owner AND #until = :until AND #until < :now",
                Map.of(":running", status(JobStatus.RUNNING), ":queued", status(JobStatus.QUEUED), ":owner", s(owner),
                        ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":shard", shard(id)))
                .isPresent();
    }

    @Override
    public boolean expire(String id, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(finalValues(JobStatus.EXPIRED, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":queued", status(JobStatus.QUEUED));
        return update(id, "SET #status = :final, #finished = :now, #expires = :expires REMOVE " + LEAVE_UNFINISHED,
                "#deadline < :now AND (#status = :queued OR (#status = :running AND #until < :now))", values)
                .isPresent();
    }

    @Override
    public List<Overdue> lapsedLeases(Instant before, int limit) {
        return queryShards(LEASE_INDEX, LEASE_SHARD, LEASE_UNTIL, before, limit);
    }

    @Override
    public List<Overdue> pastDeadline(Instant before, int limit) {
        return queryShards(DEADLINE_INDEX, QUEUED_SHARD, DEADLINE, before, limit);
    }

    /** Items of every shard of a sparse index whose sort key is below {@code before}, each shard oldest first. */
    private List<Overdue> queryShards(String index, String shardKey, String sortKey, Instant before, int limit) {
        List<Overdue> found = new ArrayList<>();
        for (int shard = 0; shard < SHARDS && found.size() < limit; shard++) {
            Map<String, AttributeValue> values = Map.of(":shard", s(Integer.toString(shard)), ":before",
                    n(before.toEpochMilli()));
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                int room = limit - found.size();
                QueryResponse page = dynamo.query(b -> b.tableName(table.name()).indexName(index)
                        .keyConditionExpression("#shard = :shard AND #sort < :before")
                        .expressionAttributeNames(Map.of("#shard", shardKey, "#sort", sortKey))
                        .expressionAttributeValues(values)
                        .limit(room)
                        .exclusiveStartKey(from));
                page.items().forEach(item -> found.add(new Overdue(str(item, ID), Tier.valueOf(str(item, "tier")),
                        str(item, "leaseOwner"), instant(item, LEASE_UNTIL), instant(item, DEADLINE))));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey()
                        : null;
            } while (start != null && found.size() < limit);
        }
        return found;
    }

    /** The shard of a job in the sparse indexes: fixed by its id, so a transition sets it without a read. */
    static AttributeValue shard(String id) {
        return s(Integer.toString(Math.floorMod(id.hashCode(), SHARDS)));
    }

    @Override
    public Optional<Job> cancel(String id, String tenant, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(finalValues(JobStatus.CANCELLED, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":queued", status(JobStatus.QUEUED));
        values.put(":tenant", s(tenant));
        return update(id, "SET #status = :final, #finished = :now, #expires = :expires REMOVE " + LEAVE_UNFINISHED,
                "#tenant = :tenant AND #status IN (:queued, :running)", values);
    }

    @Override
    public Optional<Job> claimWebhook(String id, String owner, Instant now, Instant leaseUntil) {
        Map<String, AttributeValue> values = WebhookRecords.claimValues(owner, now, leaseUntil);
        values.put(":succeeded", status(JobStatus.SUCCEEDED));
        values.put(":failed", status(JobStatus.FAILED));
        values.put(":cancelled", status(JobStatus.CANCELLED));
        values.put(":expired", status(JobStatus.EXPIRED));
        return update(id, WebhookRecords.CLAIM,
                WebhookRecords.CLAIMABLE + " AND #status IN (:succeeded, :failed, :cancelled, :expired)", values);
    }

    @Override
    public boolean recordWebhook(String id, String owner, WebhookDelivery delivery) {
        Map<String, AttributeValue> values = new HashMap<>();
        String update = WebhookRecords.recordUpdate(owner, delivery, values);
        return update(id, update, WebhookRecords.HELD, values).isPresent();
    }

    private Map<String, AttributeValue> finalValues(JobStatus status, Instant now) {
        return Map.of(":final", status(status), ":now", n(now.toEpochMilli()), ":expires",
                n(now.plus(retention).getEpochSecond()));
    }

    /** A conditional update returning the new job, or empty when the condition does not hold. */
    private Optional<Job> update(String id, String update, String condition, Map<String, AttributeValue> values) {
        return table.update(id, update, condition, values).map(this::toJob);
    }

    /** A job read from this table or one of its indexes projecting all attributes. */
    public Job toJob(Map<String, AttributeValue> item) {
        JobError error = item.containsKey("errorCode")
                ? new JobError(str(item, "errorMessage"), str(item, "errorType"), str(item, "errorCode"),
                        Integer.parseInt(item.get("errorStatus").n()))
                : null;
        return new Job(
                str(item, ID),
                str(item, "tenant"),
                JobStatus.valueOf(str(item, "status")),
                Tier.valueOf(str(item, "tier")),
                read(str(item, "request"), ChatCompletionRequest.class),
                str(item, "cacheKey"),
                instant(item, "created"),
                instant(item, "deadline"),
                instant(item, "started"),
                instant(item, "finished"),
                str(item, "leaseOwner"),
                instant(item, "leaseUntil"),
                item.containsKey("attempts") ? Integer.parseInt(item.get("attempts").n()) : 0,
                item.containsKey("result") ? read(str(item, "result"), ChatCompletion.class) : null,
                error,
                item.containsKey(BATCH_ID) ? new BatchLine(str(item, BATCH_ID), str(item, CUSTOM_ID),
                        Integer.parseInt(item.get(BATCH_LINE).n())) : null,
                str(item, CALLBACK_URL),
                WebhookRecords.read(item),
                instant(item, ESTIMATED_FINISH_AT));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt " + type.getSimpleName() + " in job store", e);
        }
    }

    private static AttributeValue status(JobStatus status) {
        return s(status.name());
    }
}
