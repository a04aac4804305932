package dev.spillway.local.dynamo.stream;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.server.StreamsHandler;
import dev.spillway.local.dynamo.table.ChangeListener;
import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * DynamoDB Streams in memory: listens to the database and answers the {@code DynamoDBStreams_20120810} operations
 * (ListStreams, DescribeStream, GetShardIterator, GetRecords). Each table created with a stream gets one shard;
 * records are kept for the retention period (24 h by default, measured by the injected clock) and trimmed after.
 * <p>
 * Stream records are <b>not</b> persisted: after a restart a table's stream (same ARN and shard) starts empty.
 * Sequence numbers derive from the clock, so those issued after a restart are still higher than the ones before,
 * and a reader resuming {@code AFTER_SEQUENCE_NUMBER} an older record simply gets everything retained.
 */
public final class StreamStore implements ChangeListener, StreamsHandler {

    static final Duration ITERATOR_LIFETIME = Duration.ofMinutes(15);
    /** Added to the internal counter so that sequence numbers are 21 digits, as DynamoDB's are at least. */
    private static final BigInteger SEQUENCE_OFFSET = BigInteger.TEN.pow(20);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Clock clock;
    private final String region;
    private final Duration retention;
    private final Map<String, TableStream> enabledByTable = new HashMap<>();
    private final NavigableMap<String, TableStream> byArn = new TreeMap<>();
    private long lastSequence;

    public StreamStore(Clock clock, String region, Duration retention) {
        this.clock = clock;
        this.region = region;
        this.retention = retention;
    }

    // ---- ChangeListener: called under the database's write lock ----

    @Override
    public synchronized void tableCreated(String table, ObjectNode description) {
        JsonNode specification = description.path("StreamSpecification");
        String arn = description.path("LatestStreamArn").asText(null);
        if (!specification.path("StreamEnabled").asBoolean(false) || arn == null) {
            return;
        }
        Instant now = clock.instant();
        trim(now);
        TableStream previous = enabledByTable.remove(table);
        if (previous != null) {
            previous.disable(now);
        }
        String label = description.path("LatestStreamLabel").asText("");
        Instant createdAt = labelTime(label, now);
        ArrayNode keySchema = description.path("KeySchema").isArray()
                ? ((ArrayNode) description.get("KeySchema")).deepCopy() : JSON.arrayNode();
        List<String> keyAttributes = new ArrayList<>();
        keySchema.forEach(key -> keyAttributes.add(key.path("AttributeName").asText()));
        String shardId = String.format("shardId-%020d-%08x", createdAt.toEpochMilli(), arn.hashCode());
        TableStream stream = new TableStream(arn, label, table,
                specification.path("StreamViewType").asText("NEW_AND_OLD_IMAGES"), keySchema, keyAttributes,
                createdAt, shardId, lastSequence + 1);
        enabledByTable.put(table, stream);
        byArn.put(arn, stream);
    }

    /** A stream switched on gets a new ARN and starts afresh (the old one is closed); one switched off is closed. */
    @Override
    public synchronized void tableUpdated(String table, ObjectNode description) {
        TableStream current = enabledByTable.get(table);
        boolean enabled = description.path("StreamSpecification").path("StreamEnabled").asBoolean(false);
        if (!enabled) {
            tableDeleted(table);
        } else if (current == null || !current.arn().equals(description.path("LatestStreamArn").asText())) {
            tableCreated(table, description);
        }
    }

    @Override
    public synchronized void tableDeleted(String table) {
        TableStream stream = enabledByTable.remove(table);
        if (stream != null) {
            stream.disable(clock.instant());
        }
    }

    @Override
    public synchronized void itemChanged(String table, Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage, boolean byTimeToLive) {
        TableStream stream = enabledByTable.get(table);
        if (stream == null || (oldImage == null && newImage == null)) {
            return;
        }
        Instant now = clock.instant();
        trim(now);
        long sequence = Math.max(lastSequence + 1, now.toEpochMilli() * 1_000_000L);
        lastSequence = sequence;
        stream.append(new TableStream.StreamRecord(sequence, now,
                ChangeRecords.build(stream, region, format(sequence), now, oldImage, newImage, byTimeToLive)));
    }

    // ---- DynamoDBStreams_20120810 operations ----

    /** Runs one Streams operation: request body in, response body out; throws {@link DynamoException}. */
    @Override
    public synchronized ObjectNode handle(String operation, ObjectNode request) {
        trim(clock.instant());
        return switch (operation) {
            case "ListStreams" -> listStreams(request);
            case "DescribeStream" -> describeStream(request);
            case "GetShardIterator" -> getShardIterator(request);
            case "GetRecords" -> getRecords(request);
            default -> throw DynamoException.unknownOperation();
        };
    }

    private ObjectNode listStreams(ObjectNode request) {
        int limit = limit(request, 100);
        String tableName = optionalText(request, "TableName");
        String exclusiveStart = optionalText(request, "ExclusiveStartStreamArn");
        NavigableMap<String, TableStream> candidates = exclusiveStart == null ? byArn
                : byArn.tailMap(exclusiveStart, false);
        ObjectNode response = JSON.objectNode();
        ArrayNode streams = response.putArray("Streams");
        for (TableStream stream : candidates.values()) {
            if (tableName != null && !tableName.equals(stream.tableName())) {
                continue;
            }
            if (streams.size() == limit) {
                response.put("LastEvaluatedStreamArn", streams.get(limit - 1).path("StreamArn").asText());
                break;
            }
            ObjectNode entry = streams.addObject();
            entry.put("StreamArn", stream.arn());
            entry.put("TableName", stream.tableName());
            entry.put("StreamLabel", stream.label());
        }
        return response;
    }

    private ObjectNode describeStream(ObjectNode request) {
        limit(request, 100);
        TableStream stream = stream(requiredText(request, "StreamArn", "streamArn"));
        String exclusiveStartShard = optionalText(request, "ExclusiveStartShardId");
        ObjectNode response = JSON.objectNode();
        ObjectNode description = response.putObject("StreamDescription");
        description.put("StreamArn", stream.arn());
        description.put("StreamLabel", stream.label());
        description.put("StreamStatus", stream.enabled() ? "ENABLED" : "DISABLED");
        description.put("StreamViewType", stream.viewType());
        description.put("CreationRequestDateTime", stream.createdAt().toEpochMilli() / 1000.0);
        description.put("TableName", stream.tableName());
        description.set("KeySchema", stream.keySchema().deepCopy());
        ArrayNode shards = description.putArray("Shards");
        if (!stream.shardId().equals(exclusiveStartShard)) {
            ObjectNode shard = shards.addObject();
            shard.put("ShardId", stream.shardId());
            ObjectNode range = shard.putObject("SequenceNumberRange");
            range.put("StartingSequenceNumber", format(stream.startingSequence()));
            if (stream.endingSequence() != null) {
                range.put("EndingSequenceNumber", format(stream.endingSequence()));
            }
        }
        return response;
    }

    private ObjectNode getShardIterator(ObjectNode request) {
        TableStream stream = stream(requiredText(request, "StreamArn", "streamArn"));
        String shardId = requiredText(request, "ShardId", "shardId");
        String type = requiredText(request, "ShardIteratorType", "shardIteratorType");
        String sequenceText = optionalText(request, "SequenceNumber");
        shard(stream, shardId);
        long position = switch (type) {
            case "TRIM_HORIZON" -> stream.trimmedThrough() + 1;
            case "LATEST" -> lastSequence + 1;
            case "AT_SEQUENCE_NUMBER" -> sequence(stream, sequenceText, type);
            case "AFTER_SEQUENCE_NUMBER" -> sequence(stream, sequenceText, type) + 1;
            default -> throw DynamoException.validation("1 validation error detected: Value '" + type
                    + "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, AT_SEQUENCE_NUMBER, LATEST]");
        };
        if (position <= stream.trimmedThrough()) {
            throw trimmed();
        }
        ObjectNode response = JSON.objectNode();
        response.put("ShardIterator", new ShardIterator(stream.arn(), shardId, position, clock.instant()).encode());
        return response;
    }

    private ObjectNode getRecords(ObjectNode request) {
        int limit = limit(request, 1000);
        ShardIterator iterator = ShardIterator.decode(requiredText(request, "ShardIterator", "shardIterator"));
        Instant now = clock.instant();
        if (now.isAfter(iterator.issuedAt().plus(ITERATOR_LIFETIME))) {
            throw new DynamoException("ExpiredIteratorException", 400, "Iterator expired. The iterator was created at "
                    + "time " + iterator.issuedAt() + " while right now it's " + now + ". The iterator is only valid "
                    + "for 15 minutes.", null, null);
        }
        TableStream stream = stream(iterator.streamArn());
        shard(stream, iterator.shardId());
        if (iterator.position() <= stream.trimmedThrough()) {
            throw trimmed();
        }
        ObjectNode response = JSON.objectNode();
        ArrayNode records = response.putArray("Records");
        long next = iterator.position();
        for (TableStream.StreamRecord record : stream.from(iterator.position())) {
            if (records.size() == limit) {
                break;
            }
            records.add(record.json());
            next = record.sequence() + 1;
        }
        // A closed shard read to its end has no next iterator: that is how readers learn it is finished.
        if (stream.enabled() || !stream.from(next).isEmpty()) {
            response.put("NextShardIterator", new ShardIterator(stream.arn(), stream.shardId(), next, now).encode());
        }
        return response;
    }

    // ---- helpers ----

    private void trim(Instant now) {
        Instant cutoff = now.minus(retention);
        byArn.values().removeIf(stream -> !stream.enabled() && stream.disabledAt().isBefore(cutoff));
        byArn.values().forEach(stream -> stream.trim(cutoff));
    }

    private TableStream stream(String arn) {
        TableStream stream = byArn.get(arn);
        if (stream == null) {
            throw DynamoException.resourceNotFound("Requested resource not found: Stream: " + arn + " not found");
        }
        return stream;
    }

    private static void shard(TableStream stream, String shardId) {
        if (!stream.shardId().equals(shardId)) {
            throw DynamoException.resourceNotFound("Requested resource not found: Shard does not exist");
        }
    }

    /** A sequence number older than the shard's start is accepted: its records are gone (e.g. a restart). */
    private static long sequence(TableStream stream, String text, String type) {
        if (text == null) {
            throw DynamoException.validation("SequenceNumber is required for ShardIteratorType " + type);
        }
        long sequence;
        try {
            sequence = new BigInteger(text).subtract(SEQUENCE_OFFSET).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalidSequence(text, stream);
        }
        if (sequence < 0 || (stream.endingSequence() != null && sequence > stream.endingSequence())) {
            throw invalidSequence(text, stream);
        }
        return sequence;
    }

    private static DynamoException invalidSequence(String text, TableStream stream) {
        return DynamoException.validation("Invalid SequenceNumber: " + text + " for shard " + stream.shardId());
    }

    private static DynamoException trimmed() {
        return new DynamoException("TrimmedDataAccessException", 400,
                "The operation attempted to read past the oldest stream record in a shard.", null, null);
    }

    static String format(long sequence) {
        return SEQUENCE_OFFSET.add(BigInteger.valueOf(sequence)).toString();
    }

    private static Instant labelTime(String label, Instant fallback) {
        try {
            return LocalDateTime.parse(label).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static int limit(ObjectNode request, int max) {
        JsonNode limit = request.get("Limit");
        if (limit == null || limit.isNull()) {
            return max;
        }
        if (!limit.canConvertToInt()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        int value = limit.intValue();
        if (value < 1) {
            throw DynamoException.validation("1 validation error detected: Value '" + value + "' at 'limit' failed "
                    + "to satisfy constraint: Member must have value greater than or equal to 1");
        }
        if (value > max) {
            throw DynamoException.validation("1 validation error detected: Value '" + value + "' at 'limit' failed "
                    + "to satisfy constraint: Member must have value less than or equal to " + max);
        }
        return value;
    }

    private static String requiredText(ObjectNode request, String field, String memberName) {
        String value = optionalText(request, field);
        if (value == null) {
            throw DynamoException.validation("1 validation error detected: Value null at '" + memberName
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static String optionalText(ObjectNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        return value.textValue();
    }
}
