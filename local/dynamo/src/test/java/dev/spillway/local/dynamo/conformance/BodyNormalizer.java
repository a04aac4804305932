package dev.spillway.local.dynamo.conformance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Takes out of a response what two correct DynamoDB implementations may answer differently: timestamps, ids, capacity
 * figures, statistics DynamoDB refreshes lazily, the account and region in ARNs, and the order of things DynamoDB does
 * not order (set members, Scan items, BatchGetItem items).
 */
final class BodyNormalizer {

    /** Dropped wherever they appear. TableThroughputModeSummary is a dynalite extra, not in the API reference. */
    private static final Set<String> VOLATILE_FIELDS = Set.of("ConsumedCapacity", "CreationDateTime", "TableId",
            "TableSizeBytes", "ItemCount", "IndexSizeBytes", "LastIncreaseDateTime", "LastDecreaseDateTime",
            "LastUpdateToPayPerRequestDateTime", "TableThroughputModeSummary", "LatestStreamLabel", "StreamLabel",
            "ApproximateCreationDateTime", "SequenceNumber", "StartingSequenceNumber", "EndingSequenceNumber",
            "ShardIterator", "NextShardIterator", "eventID");

    private static final Set<String> SET_TYPES = Set.of("SS", "NS", "BS");

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private BodyNormalizer() {
    }

    static JsonNode normalize(JsonNode body, String operation) {
        JsonNode copy = body == null || body.isMissingNode() || body.isNull() ? JsonNodeFactory.instance.objectNode()
                : body.deepCopy();
        clean(copy);
        if (operation.equals("Scan") && copy.get("Items") instanceof ArrayNode items) {
            sort(items);
        }
        if (operation.equals("BatchGetItem") && copy.get("Responses") instanceof ObjectNode responses) {
            responses.forEach(items -> sort((ArrayNode) items));
        }
        if (operation.equals("BatchWriteItem") && copy.get("UnprocessedItems") instanceof ObjectNode unprocessed) {
            unprocessed.forEach(requests -> sort((ArrayNode) requests));
        }
        return copy;
    }

    private static void clean(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(VOLATILE_FIELDS);
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isTextual() && field.getKey().endsWith("Arn")) {
                    field.setValue(JsonNodeFactory.instance.textNode(withoutAccount(field.getValue().asText())));
                } else if (SET_TYPES.contains(field.getKey()) && field.getValue() instanceof ArrayNode members) {
                    sort(members);
                } else {
                    clean(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(BodyNormalizer::clean);
        }
    }

    /** arn:aws:dynamodb:REGION:ACCOUNT:table/t/stream/LABEL → arn:aws:dynamodb:*:*:table/t/stream/* */
    private static String withoutAccount(String arn) {
        String generic = arn.replaceFirst("^arn:aws:dynamodb:[^:]*:[^:]*:", "arn:aws:dynamodb:*:*:");
        return generic.replaceFirst("/stream/.*$", "/stream/*");
    }

    /** The node's JSON with object keys sorted, so equal items sort alike whatever order their fields came in. */
    static String canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(node, Object.class));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sort(ArrayNode array) {
        List<JsonNode> elements = new ArrayList<>();
        array.forEach(elements::add);
        elements.sort(Comparator.comparing(BodyNormalizer::canonical));
        array.removeAll();
        array.addAll(elements);
    }
}
