package dev.spillway.local.dynamo.table;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.DynamoException;

/** The table operations: CreateTable, DeleteTable, DescribeTable, ListTables and the TTL pair. */
final class TableOperations {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Database database;

    TableOperations(Database database) {
        this.database = database;
    }

    ObjectNode createTable(Request request) {
        ObjectNode description = TableDescriptions.fromCreateTable(request, database.now(), database.region());
        String name = description.get("TableName").textValue();
        if (database.tables().containsKey(name)) {
            throw DynamoException.resourceInUse("Table already exists: " + name);
        }
        Table table = new Table(description);
        database.tables().put(name, table);
        database.listeners().forEach(listener -> listener.tableCreated(name, table.creationDescription()));
        // DynamoDB answers CREATING; ours is usable at once, and DescribeTable says ACTIVE.
        ObjectNode created = table.describe();
        created.put("TableStatus", "CREATING");
        if (created.get("GlobalSecondaryIndexes") instanceof com.fasterxml.jackson.databind.node.ArrayNode indexes) {
            indexes.forEach(index -> ((ObjectNode) index).put("IndexStatus", "CREATING"));
        }
        return wrap(created);
    }

    ObjectNode deleteTable(Request request) {
        String name = existingTableName(request);
        ObjectNode description = namedTable(name).describe();
        database.tables().remove(name);
        database.listeners().forEach(listener -> listener.tableDeleted(name));
        description.put("TableStatus", "DELETING");
        return wrap(description);
    }

    /**
     * Changes the billing mode or provisioned throughput (both only reported: we do not throttle) and switches the
     * table's stream on (a new stream, with a new ARN and label) or off. Indexes must be declared at CreateTable.
     */
    ObjectNode updateTable(Request request) {
        String name = existingTableName(request);
        String billingMode = request.enumeration("BillingMode", "PROVISIONED", "PAY_PER_REQUEST");
        Map<String, JsonNode> throughput = request.map("ProvisionedThroughput");
        request.check();
        Request stream = request.child("StreamSpecification");
        Boolean streamEnabled = stream == null ? null : stream.bool("StreamEnabled", false);
        String viewType = stream == null ? null
                : stream.enumeration("StreamViewType", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY");
        if (stream != null) {
            stream.check();
        }
        for (String unsupported : List.of("GlobalSecondaryIndexUpdates",
                "AttributeDefinitions", "ReplicaUpdates", "SSESpecification", "TableClass")) {
            if (request.has(unsupported)) {
                throw DynamoException.validation("UpdateTable with " + unsupported + " is not supported by this "
                        + "emulator; declare it in CreateTable");
            }
        }
        Table table = database.table(name);
        ObjectNode description = table.creationDescriptionForUpdate();
        boolean onDemand = billingMode == null ? description.has("BillingModeSummary")
                && "PAY_PER_REQUEST".equals(description.get("BillingModeSummary").get("BillingMode").asText())
                : billingMode.equals("PAY_PER_REQUEST");
        if (onDemand && throughput != null) {
            throw DynamoException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                    + "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }
        if (!onDemand && (throughput == null && "PROVISIONED".equals(billingMode) || throughput != null
                && (!throughput.containsKey("ReadCapacityUnits") || !throughput.containsKey("WriteCapacityUnits")))) {
            throw DynamoException.validation("One or more parameter values were invalid: ReadCapacityUnits and "
                    + "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        }
        if (billingMode == null && throughput == null && streamEnabled == null) {
            throw DynamoException.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                    + "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
        }
        if (streamEnabled != null) {
            updateStream(name, description, streamEnabled, viewType);
        }
        if (billingMode != null || throughput != null) {
            ObjectNode provisioned = (ObjectNode) description.get("ProvisionedThroughput");
            provisioned.put("ReadCapacityUnits", onDemand ? 0 : throughput.get("ReadCapacityUnits").asLong());
            provisioned.put("WriteCapacityUnits", onDemand ? 0 : throughput.get("WriteCapacityUnits").asLong());
            description.putObject("BillingModeSummary")
                    .put("BillingMode", onDemand ? "PAY_PER_REQUEST" : "PROVISIONED")
                    .put("LastUpdateToPayPerRequestDateTime", TableDescriptions.epochSeconds(database.now()));
        }
        database.listeners().forEach(listener -> listener.tableUpdated(name, table.creationDescription()));
        // DynamoDB answers UPDATING; the change is complete at once here.
        ObjectNode updated = table.describe();
        updated.put("TableStatus", "UPDATING");
        return wrap(updated);
    }

    private void updateStream(String name, ObjectNode description, boolean enable, String viewType) {
        boolean enabled = description.path("StreamSpecification").path("StreamEnabled").asBoolean(false);
        if (enable && enabled) {
            throw DynamoException.validation("Table already has an enabled stream: TableName: " + name);
        }
        if (!enable && !enabled) {
            throw DynamoException.validation("Table " + name + " does not have a stream enabled to disable");
        }
        if (enable && viewType == null) {
            throw DynamoException.validation("One or more parameter values were invalid: You must specify a "
                    + "StreamViewType when enabling a stream");
        }
        if (enable) {
            description.putObject("StreamSpecification").put("StreamEnabled", true).put("StreamViewType", viewType);
            TableDescriptions.newStream(description, database.now());
        } else {
            description.putObject("StreamSpecification").put("StreamEnabled", false);
        }
    }

    ObjectNode describeTable(Request request) {
        ObjectNode response = JSON.objectNode();
        response.set("Table", namedTable(existingTableName(request)).describe());
        return response;
    }

    /** The table for DeleteTable and DescribeTable, whose not-found message names it (other operations' does not). */
    private Table namedTable(String name) {
        Table table = database.tables().get(name);
        if (table == null) {
            throw DynamoException.resourceNotFound("Requested resource not found: Table: " + name + " not found");
        }
        return table;
    }

    ObjectNode listTables(Request request) {
        String start = request.string("ExclusiveStartTableName");
        Integer limit = request.integerAtLeast("Limit", 1);
        if (limit != null && limit > 100) {
            request.violation("Limit", limit.toString(), "Member must have value less than or equal to 100");
        }
        request.check();
        int pageSize = limit == null ? 100 : limit;
        ObjectNode response = JSON.objectNode();
        ArrayNode names = response.putArray("TableNames");
        var remaining = start == null ? database.tables().navigableKeySet()
                : database.tables().navigableKeySet().tailSet(start, false);
        String last = null;
        for (String name : remaining) {
            if (names.size() == pageSize) {
                response.put("LastEvaluatedTableName", last);
                break;
            }
            names.add(name);
            last = name;
        }
        return response;
    }

    ObjectNode updateTimeToLive(Request request) {
        String name = request.tableName("TableName");
        Request specification = request.child("TimeToLiveSpecification");
        if (specification == null) {
            request.notNull("TimeToLiveSpecification");
        }
        request.check();
        String attribute = specification.requiredString("AttributeName");
        if (!specification.has("Enabled")) {
            specification.notNull("Enabled");
        }
        specification.check();
        boolean enabled = specification.bool("Enabled", false);
        Table table = database.table(name);
        String current = table.timeToLiveAttribute();
        if (enabled && current != null) {
            throw DynamoException.validation("TimeToLive is already enabled");
        }
        if (!enabled && current == null) {
            throw DynamoException.validation("TimeToLive is already disabled");
        }
        if (!enabled && !current.equals(attribute)) {
            throw DynamoException.validation("An attribute name must be specified when disabling TimeToLive: "
                    + "the attribute name differs from the one TimeToLive is enabled on");
        }
        String updated = enabled ? attribute : null;
        table.timeToLiveAttribute(updated);
        database.listeners().forEach(listener -> listener.timeToLiveUpdated(name, updated));
        ObjectNode response = JSON.objectNode();
        response.putObject("TimeToLiveSpecification").put("AttributeName", attribute).put("Enabled", enabled);
        return response;
    }

    ObjectNode describeTimeToLive(Request request) {
        String name = existingTableName(request);
        Table table = database.table(name);
        ObjectNode response = JSON.objectNode();
        ObjectNode description = response.putObject("TimeToLiveDescription");
        if (table.timeToLiveAttribute() == null) {
            description.put("TimeToLiveStatus", "DISABLED");
        } else {
            description.put("TimeToLiveStatus", "ENABLED").put("AttributeName", table.timeToLiveAttribute());
        }
        return response;
    }

    private static String existingTableName(Request request) {
        String name = request.requiredTableName("TableName");
        request.check();
        return name;
    }

    private static ObjectNode wrap(ObjectNode description) {
        ObjectNode response = JSON.objectNode();
        response.set("TableDescription", description);
        return response;
    }
}
