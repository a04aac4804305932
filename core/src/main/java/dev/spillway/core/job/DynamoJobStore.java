package dev.spillway.core.job;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.config.JobsConfig;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** {@link JobStore} on a DynamoDB table keyed by {@code id}, each transition a conditional update. */
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

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("#status", "status"), Map.entry("#owner", "leaseOwner"), Map.entry("#until", "leaseUntil"),
            Map.entry("#started", "started"), Map.entry("#finished", "finished"), Map.entry("#attempts", "attempts"),
            Map.entry("#result", "result"), Map.entry("#expires", EXPIRES_AT), Map.entry("#tenant", "tenant"),
            Map.entry("#errMessage", "errorMessage"), Map.entry("#errType", "errorType"),
            Map.entry("#errCode", "errorCode"), Map.entry("#errStatus", "errorStatus"),
            Map.entry("#promptTokens", "promptTokens"), Map.entry("#completionTokens", "completionTokens"));

    private final DynamoDbClient dynamo;
    private final String table;
    private final String idempotencyTable;
    private final Duration retention;
    private final ObjectMapper json;

    @Inject
    public DynamoJobStore(DynamoDbClient dynamo, JobsConfig config, ObjectMapper json) {
        this(dynamo, config.table(), config.idempotencyTable(), config.retention(), json);
    }

    public DynamoJobStore(DynamoDbClient dynamo, String table, String idempotencyTable, Duration retention,
            ObjectMapper json) {
        this.dynamo = dynamo;
        this.table = table;
        this.idempotencyTable = idempotencyTable;
        this.retention = retention;
        this.json = json;
    }

    @Override
    public void create(Job job) {
        dynamo.putItem(b -> b.tableName(table).item(toItem(job)).conditionExpression("attribute_not_exists(id)"));
    }

    @Override
    public IdempotentCreate createIdempotent(Job job, String idempotencyId, String requestHash, Instant keyExpires) {
        Map<String, AttributeValue> record = Map.of(ID, s(idempotencyId), "jobId", s(job.id()), "requestHash",
                s(requestHash), EXPIRES_AT, n(keyExpires.getEpochSecond()));
        try {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(toItem(job))
                            .conditionExpression("attribute_not_exists(id)")).build(),
                    // An expired record may linger until DynamoDB's TTL sweeps it; it no longer binds the key.
                    TransactWriteItem.builder().put(p -> p.tableName(idempotencyTable).item(record)
                            .conditionExpression("attribute_not_exists(id) OR #expires < :now")
                            .expressionAttributeNames(Map.of("#expires", EXPIRES_AT))
                            .expressionAttributeValues(Map.of(":now", n(job.created().getEpochSecond())))).build()));
            return new IdempotentCreate(true, job.id(), requestHash);
        } catch (TransactionCanceledException e) {
            Map<String, AttributeValue> earlier = dynamo.getItem(b -> b.tableName(idempotencyTable)
                    .key(Map.of(ID, s(idempotencyId))).consistentRead(true)).item();
            if (earlier == null || earlier.isEmpty()) {
                throw e;
            }
            return new IdempotentCreate(false, earlier.get("jobId").s(), earlier.get("requestHash").s());
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
        if (job.batchLine() != null) {
            item.put(BATCH_ID, s(job.batchLine().batchId()));
            item.put(CUSTOM_ID, s(job.batchLine().customId()));
            item.put(BATCH_LINE, n(job.batchLine().index()));
        }
        return item;
    }

    @Override
    public Optional<Job> find(String id) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(id)).consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toJob(item));
    }

    @Override
    public void withdraw(String id, String idempotencyId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(id)).conditionExpression("#status = :queued")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":queued", s(JobStatus.QUEUED.name()))));
        } catch (ConditionalCheckFailedException alreadyPickedUp) {
            // A worker found it after all: the job will complete, and its key keeps pointing at it.
            return;
        }
        if (idempotencyId != null) {
            dynamo.deleteItem(b -> b.tableName(idempotencyTable).key(key(idempotencyId)));
        }
    }

    @Override
    public Optional<Job> claim(String id, String owner, Instant now, Instant leaseUntil) {
        return update(id,
                "SET #status = :running, #owner = :owner, #until = :until, #started = if_not_exists(#started, :now), "
                        + "#attempts = #attempts + :one",
                "attribute_exists(id) AND (#status = :queued OR (#status = :running AND #until < :now))",
                Map.of(":running", status(JobStatus.RUNNING), ":queued", status(JobStatus.QUEUED), ":owner", s(owner),
                        ":until", n(leaseUntil.toEpochMilli()), ":now", n(now.toEpochMilli()), ":one", n(1)));
    }

    @Override
    public boolean extendLease(String id, String owner, Instant leaseUntil) {
        return update(id, "SET #until = :until", "#status = :running AND #owner = :owner",
                Map.of(":running", status(JobStatus.RUNNING), ":owner", s(owner), ":until",
                        n(leaseUntil.toEpochMilli())))
                .isPresent();
    }

    @Override
    public boolean succeed(String id, String owner, ChatCompletion result, Instant now) {
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
                + " REMOVE #owner, #until", "#status = :running AND #owner = :owner", values).isPresent();
    }

    @Override
    public boolean fail(String id, String owner, JobError error, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(failureValues(error, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":owner", s(owner));
        return update(id, FAILURE_UPDATE, "#status = :running AND #owner = :owner", values).isPresent();
    }

    @Override
    public boolean failUnfinished(String id, JobError error, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(failureValues(error, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":queued", status(JobStatus.QUEUED));
        return update(id, FAILURE_UPDATE, "#status IN (:queued, :running)", values).isPresent();
    }

    private static final String FAILURE_UPDATE = "SET #status = :final, #finished = :now, #expires = :expires, "
            + "#errMessage = :errMessage, #errType = :errType, #errCode = :errCode, #errStatus = :errStatus "
            + "REMOVE #owner, #until";

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
        return update(id, "SET #status = :queued REMOVE #owner, #until", "#status = :running AND #owner = :owner",
                Map.of(":running", status(JobStatus.RUNNING), ":queued", status(JobStatus.QUEUED), ":owner", s(owner)))
                .isPresent();
    }

    @Override
    public Optional<Job> cancel(String id, String tenant, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>(finalValues(JobStatus.CANCELLED, now));
        values.put(":running", status(JobStatus.RUNNING));
        values.put(":queued", status(JobStatus.QUEUED));
        values.put(":tenant", s(tenant));
        return update(id, "SET #status = :final, #finished = :now, #expires = :expires REMOVE #owner, #until",
                "#tenant = :tenant AND #status IN (:queued, :running)", values);
    }

    private Map<String, AttributeValue> finalValues(JobStatus status, Instant now) {
        return Map.of(":final", status(status), ":now", n(now.toEpochMilli()), ":expires",
                n(now.plus(retention).getEpochSecond()));
    }

    /** A conditional update returning the new item, or empty when the condition does not hold. */
    private Optional<Job> update(String id, String update, String condition, Map<String, AttributeValue> values) {
        String expressions = update + " " + condition;
        Map<String, String> names = new HashMap<>();
        NAMES.forEach((placeholder, name) -> {
            if (expressions.contains(placeholder)) {
                names.put(placeholder, name);
            }
        });
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(UpdateItemRequest.builder()
                    .tableName(table)
                    .key(key(id))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.NONE)
                    .build()).attributes();
            return Optional.of(toJob(item));
        } catch (ConditionalCheckFailedException notInExpectedState) {
            return Optional.empty();
        }
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
                        Integer.parseInt(item.get(BATCH_LINE).n())) : null);
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

    private static Map<String, AttributeValue> key(String id) {
        return Map.of(ID, s(id));
    }

    private static AttributeValue status(JobStatus status) {
        return s(status.name());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
