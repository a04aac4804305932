package dev.spillway.local.dynamo.table;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.DynamoException;

/** Validates a CreateTable request and writes the TableDescription it creates (ARNs, stream label, indexes). */
final class TableDescriptions {

    static final String ACCOUNT = "000000000000";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final DateTimeFormatter STREAM_LABEL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private TableDescriptions() {
    }

    static ObjectNode fromCreateTable(Request request, Instant now, String region) {
        String name = request.requiredTableName("TableName");
        List<JsonNode> keySchema = request.list("KeySchema");
        List<JsonNode> definitions = request.list("AttributeDefinitions");
        if (keySchema == null) {
            request.notNull("KeySchema");
        }
        if (definitions == null) {
            request.notNull("AttributeDefinitions");
        }
        String billingMode = request.enumeration("BillingMode", "PROVISIONED", "PAY_PER_REQUEST");
        request.check();
        if (keySchema.isEmpty() || keySchema.size() > 2) {
            throw DynamoException.validation("1 validation error detected: Value '" + keySchema + "' at 'keySchema' "
                    + "failed to satisfy constraint: Member must have length less than or equal to 2");
        }
        Map<String, JsonNode> throughput = request.map("ProvisionedThroughput");
        boolean onDemand = "PAY_PER_REQUEST".equals(billingMode);
        if (onDemand && throughput != null) {
            throw DynamoException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                    + "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }
        if (!onDemand && (throughput == null || !throughput.containsKey("ReadCapacityUnits")
                || !throughput.containsKey("WriteCapacityUnits"))) {
            throw DynamoException.validation("One or more parameter values were invalid: ReadCapacityUnits and "
                    + "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        }

        Set<String> defined = new LinkedHashSet<>();
        ArrayNode attributeDefinitions = JSON.arrayNode();
        int position = 0;
        for (JsonNode definition : definitions) {
            Request element = Request.of(definition, "attributeDefinitions." + ++position + ".member.");
            String attribute = element.requiredString("AttributeName");
            String type = element.enumeration("AttributeType", "B", "N", "S");
            if (type == null) {
                element.notNull("AttributeType");
            }
            element.check();
            defined.add(attribute);
            attributeDefinitions.addObject().put("AttributeName", attribute).put("AttributeType", type);
        }
        Set<String> used = new HashSet<>();
        ArrayNode tableKey = keySchema(keySchema, "keySchema.", defined, used);

        ObjectNode description = JSON.objectNode();
        String arn = "arn:aws:dynamodb:" + region + ":" + ACCOUNT + ":table/" + name;
        description.set("AttributeDefinitions", attributeDefinitions);
        description.put("TableName", name);
        description.set("KeySchema", tableKey);
        description.put("TableStatus", "ACTIVE");
        description.put("CreationDateTime", epochSeconds(now));
        description.set("ProvisionedThroughput", throughput(onDemand ? null : throughput));
        description.put("TableSizeBytes", 0);
        description.put("ItemCount", 0);
        description.put("TableArn", arn);
        description.put("TableId", UUID.randomUUID().toString());
        if (onDemand) {
            description.putObject("BillingModeSummary").put("BillingMode", "PAY_PER_REQUEST")
                    .put("LastUpdateToPayPerRequestDateTime", epochSeconds(now));
        }
        Set<String> indexNames = new HashSet<>();
        ArrayNode locals = indexes(request.list("LocalSecondaryIndexes"), "LocalSecondaryIndexes", false, tableKey,
                defined, used, indexNames, arn, onDemand);
        if (locals != null) {
            description.set("LocalSecondaryIndexes", locals);
        }
        ArrayNode globals = indexes(request.list("GlobalSecondaryIndexes"), "GlobalSecondaryIndexes", true, tableKey,
                defined, used, indexNames, arn, onDemand);
        if (globals != null) {
            description.set("GlobalSecondaryIndexes", globals);
        }
        if (!used.containsAll(defined) || used.size() != defined.size()) {
            throw DynamoException.validation("One or more parameter values were invalid: Number of attributes in "
                    + "KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }
        Request stream = request.child("StreamSpecification");
        if (stream != null && stream.bool("StreamEnabled", false)) {
            String viewType = stream.enumeration("StreamViewType", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                    "KEYS_ONLY");
            stream.check();
            if (viewType == null) {
                throw DynamoException.validation("One or more parameter values were invalid: You must specify a "
                        + "StreamViewType when enabling a stream");
            }
            description.putObject("StreamSpecification").put("StreamEnabled", true).put("StreamViewType", viewType);
            newStream(description, now);
        }
        return description;
    }

    /** A new stream's label and ARN, from the time it is switched on. */
    static void newStream(ObjectNode description, Instant now) {
        String label = STREAM_LABEL.format(now);
        description.put("LatestStreamLabel", label);
        description.put("LatestStreamArn", description.path("TableArn").asText() + "/stream/" + label);
    }

    private static ArrayNode keySchema(List<JsonNode> elements, String path, Set<String> defined, Set<String> used) {
        ArrayNode schema = JSON.arrayNode();
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (JsonNode node : elements) {
            Request element = Request.of(node, path + (names.size() + 1) + ".member.");
            String attribute = element.requiredString("AttributeName");
            String keyType = element.enumeration("KeyType", "HASH", "RANGE");
            if (keyType == null) {
                element.notNull("KeyType");
            }
            element.check();
            names.add(attribute);
            types.add(keyType);
            schema.addObject().put("AttributeName", attribute).put("KeyType", keyType);
        }
        if (!defined.containsAll(names)) {
            throw DynamoException.validation("One or more parameter values were invalid: Some index key attributes are "
                    + "not defined in AttributeDefinitions. Keys: [" + String.join(", ", names)
                    + "], AttributeDefinitions: [" + String.join(", ", defined) + "]");
        }
        if (names.size() == 2 && names.get(0).equals(names.get(1))) {
            throw DynamoException.validation("Both the Hash Key and the Range Key element in the KeySchema have the "
                    + "same name");
        }
        if (!types.get(0).equals("HASH")) {
            throw DynamoException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        }
        if (types.size() == 2 && !types.get(1).equals("RANGE")) {
            throw DynamoException.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        }
        used.addAll(names);
        return schema;
    }

    private static ArrayNode indexes(List<JsonNode> definitions, String field, boolean global, ArrayNode tableKey,
            Set<String> defined, Set<String> used, Set<String> indexNames, String tableArn, boolean onDemand) {
        if (definitions == null) {
            return null;
        }
        if (definitions.isEmpty()) {
            throw DynamoException.validation("One or more parameter values were invalid: List of " + field
                    + " is empty");
        }
        ArrayNode described = JSON.arrayNode();
        for (JsonNode node : definitions) {
            String path = memberPath(field, described.size() + 1);
            Request definition = Request.of(node, path);
            String indexName = definition.requiredString("IndexName");
            List<JsonNode> keySchema = definition.list("KeySchema");
            if (keySchema == null) {
                definition.notNull("KeySchema");
            }
            Request projection = definition.child("Projection");
            if (projection == null) {
                definition.notNull("Projection");
            }
            definition.check();
            if (!indexNames.add(indexName)) {
                throw DynamoException.validation("One or more parameter values were invalid: Duplicate index name: "
                        + indexName);
            }
            ArrayNode indexKey = keySchema(keySchema, path + "keySchema.", defined, used);
            if (!global && (tableKey.size() < 2 || indexKey.size() < 2
                    || !indexKey.get(0).get("AttributeName").equals(tableKey.get(0).get("AttributeName")))) {
                throw DynamoException.validation("One or more parameter values were invalid: Index KeySchema does not "
                        + "have a range key for index: " + indexName);
            }
            String projectionType = projection.enumeration("ProjectionType", "ALL", "KEYS_ONLY", "INCLUDE");
            projection.check();
            if (projectionType == null) {
                throw DynamoException.validation("One or more parameter values were invalid: Unknown ProjectionType: "
                        + "null");
            }
            List<JsonNode> nonKey = projection.list("NonKeyAttributes");
            ObjectNode index = described.addObject();
            index.put("IndexName", indexName);
            index.set("KeySchema", indexKey);
            ObjectNode projected = index.putObject("Projection").put("ProjectionType", projectionType);
            if (projectionType.equals("INCLUDE")) {
                if (nonKey == null || nonKey.isEmpty()) {
                    throw DynamoException.validation("One or more parameter values were invalid: ProjectionType is "
                            + "INCLUDE, but NonKeyAttributes is not specified");
                }
                ArrayNode attributes = projected.putArray("NonKeyAttributes");
                nonKey.forEach(attribute -> attributes.add(attribute.asText()));
            } else if (nonKey != null) {
                throw DynamoException.validation("One or more parameter values were invalid: ProjectionType is "
                        + projectionType + ", but NonKeyAttributes is specified");
            }
            if (global) {
                index.put("IndexStatus", "ACTIVE");
                index.set("ProvisionedThroughput", throughput(onDemand ? null
                        : definition.map("ProvisionedThroughput")));
            }
            index.put("IndexSizeBytes", 0);
            index.put("ItemCount", 0);
            index.put("IndexArn", tableArn + "/index/" + indexName);
        }
        return described;
    }

    private static String memberPath(String field, int position) {
        return Character.toLowerCase(field.charAt(0)) + field.substring(1) + "." + position + ".member.";
    }

    private static ObjectNode throughput(Map<String, JsonNode> requested) {
        ObjectNode throughput = JSON.objectNode();
        throughput.put("NumberOfDecreasesToday", 0);
        throughput.put("ReadCapacityUnits", units(requested, "ReadCapacityUnits"));
        throughput.put("WriteCapacityUnits", units(requested, "WriteCapacityUnits"));
        return throughput;
    }

    private static long units(Map<String, JsonNode> requested, String field) {
        return requested == null || !requested.containsKey(field) ? 0 : requested.get(field).asLong();
    }

    static BigDecimal epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3);
    }
}
