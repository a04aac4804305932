package dev.spillway.local.dynamo.table;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * BatchGetItem, BatchWriteItem and the transactions. Everything asked is processed (Unprocessed* are always empty);
 * the database's write lock makes a batch or a transaction atomic for readers.
 */
final class BatchOperations {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_BATCH_WRITES = 25;
    private static final int MAX_BATCH_GETS = 100;
    private static final int MAX_TRANSACTION_ITEMS = 100;

    private final Database database;
    private final ItemOperations items;

    BatchOperations(Database database, ItemOperations items) {
        this.database = database;
        this.items = items;
    }

    ObjectNode batchGetItem(Request request) {
        Map<String, JsonNode> requestItems = requestItems(request);
        int count = 0;
        ObjectNode response = JSON.objectNode();
        ObjectNode responses = response.putObject("Responses");
        List<Runnable> reads = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : requestItems.entrySet()) {
            String tableName = entry.getKey();
            Request tableRequest = Request.of(entry.getValue(), "requestItems." + tableName + ".member.");
            List<JsonNode> keys = tableRequest.list("Keys");
            if (keys == null) {
                tableRequest.notNull("Keys");
            } else if (keys.isEmpty() || keys.size() > MAX_BATCH_GETS) {
                tableRequest.violation("Keys", "[]", keys.isEmpty() ? "Member must have length greater than or equal "
                        + "to 1" : "Member must have length less than or equal to " + MAX_BATCH_GETS);
            }
            tableRequest.check();
            UnaryOperator<Map<String, AttributeValue>> projection = RequestExpressions.onlyProjection(tableRequest);
            Set<Map<String, AttributeValue>> seen = new HashSet<>();
            List<Map<String, AttributeValue>> parsedKeys = new ArrayList<>();
            for (JsonNode keyNode : keys) {
                Map<String, AttributeValue> key = AttributeValueJson.itemFromJson(keyNode, "Keys");
                if (!seen.add(key)) {
                    throw DynamoException.validation("Provided list of item keys contains duplicates");
                }
                if (++count > MAX_BATCH_GETS) {
                    throw DynamoException.validation("Too many items requested for the BatchGetItem call");
                }
                parsedKeys.add(key);
            }
            Table table = database.table(tableName);
            parsedKeys.forEach(table.key()::validateKey);
            ArrayNode found = responses.putArray(tableName);
            reads.add(() -> parsedKeys.forEach(key -> {
                Map<String, AttributeValue> item = table.get(key);
                if (item != null) {
                    found.add(AttributeValueJson.itemToJson(projection.apply(item)));
                }
            }));
        }
        reads.forEach(Runnable::run);
        response.putObject("UnprocessedKeys");
        Capacity.reportEach(request, response, requestItems.keySet(), 1);
        return response;
    }

    ObjectNode batchWriteItem(Request request) {
        Map<String, JsonNode> requestItems = requestItems(request);
        int count = 0;
        List<Runnable> writes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : requestItems.entrySet()) {
            String tableName = entry.getKey();
            if (!entry.getValue().isArray()) {
                throw Request.unexpectedType();
            }
            if (entry.getValue().size() > MAX_BATCH_WRITES || entry.getValue().isEmpty()) {
                throw DynamoException.validation("1 validation error detected: Value '" + request.body()
                        .get("RequestItems") + "' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than "
                        + "or equal to 25, Member must have length greater than or equal to 1]");
            }
            count += entry.getValue().size();
            if (count > MAX_BATCH_WRITES) {
                throw DynamoException.validation("Too many items requested for the BatchWriteItem call");
            }
            Table table = database.table(tableName);
            Set<Map<String, AttributeValue>> seen = new HashSet<>();
            for (JsonNode node : entry.getValue()) {
                Request writeRequest = Request.of(node, "requestItems." + tableName + ".member.");
                Request put = writeRequest.child("PutRequest");
                Request delete = writeRequest.child("DeleteRequest");
                if ((put == null) == (delete == null)) {
                    throw DynamoException.validation("Supplied AttributeValue has more than one datatypes set, must "
                            + "contain exactly one of the supported datatypes");
                }
                Map<String, AttributeValue> key;
                if (put != null) {
                    Map<String, AttributeValue> item = put.requiredItem("Item");
                    put.check();
                    if (!table.key().coveredBy(item)) {
                        // BatchWriteItem words a missing or mistyped key like a bad Key, unlike PutItem
                        throw DynamoException.validation("The provided key element does not match the schema");
                    }
                    table.validateItem(item);
                    key = table.key().keyOf(item);
                    writes.add(() -> database.commit(table, table.get(item), item, false));
                } else {
                    key = delete.requiredItem("Key");
                    delete.check();
                    table.key().validateKey(key);
                    Map<String, AttributeValue> target = key;
                    writes.add(() -> {
                        Map<String, AttributeValue> old = table.get(target);
                        if (old != null) {
                            database.commit(table, old, null, false);
                        }
                    });
                }
                if (!seen.add(key)) {
                    throw DynamoException.validation("Provided list of item keys contains duplicates");
                }
            }
        }
        writes.forEach(Runnable::run);
        ObjectNode response = JSON.objectNode();
        response.putObject("UnprocessedItems");
        Capacity.reportEach(request, response, requestItems.keySet(), 1);
        return response;
    }

    ObjectNode transactGetItems(Request request) {
        List<JsonNode> transactItems = transactItems(request);
        ObjectNode response = JSON.objectNode();
        ArrayNode responses = response.putArray("Responses");
        Set<String> tables = new LinkedHashSet<>();
        List<Runnable> reads = new ArrayList<>();
        for (JsonNode node : transactItems) {
            Request get = Request.of(node, "transactItems.member.").child("Get");
            if (get == null) {
                throw DynamoException.validation("1 validation error detected: Value null at 'transactItems.member"
                        + ".get' failed to satisfy constraint: Member must not be null");
            }
            String tableName = get.tableName("TableName");
            Map<String, AttributeValue> key = get.requiredItem("Key");
            get.check();
            UnaryOperator<Map<String, AttributeValue>> projection = RequestExpressions.onlyProjection(get);
            Table table = database.table(tableName);
            table.key().validateKey(key);
            tables.add(tableName);
            ObjectNode answer = responses.addObject();
            reads.add(() -> {
                Map<String, AttributeValue> item = table.get(key);
                if (item != null) {
                    answer.set("Item", AttributeValueJson.itemToJson(projection.apply(item)));
                }
            });
        }
        reads.forEach(Runnable::run);
        Capacity.reportEach(request, response, tables, 2);
        return response;
    }

    ObjectNode transactWriteItems(Request request) {
        List<JsonNode> transactItems = transactItems(request);
        request.string("ClientRequestToken");
        List<ItemOperations.Prepared> prepared = new ArrayList<>();
        Set<List<Object>> touched = new HashSet<>();
        for (JsonNode node : transactItems) {
            Request item = Request.of(node, "transactItems.member.");
            List<Request> actions = new ArrayList<>();
            for (String action : List.of("ConditionCheck", "Put", "Delete", "Update")) {
                Request child = item.child(action);
                if (child != null) {
                    actions.add(child);
                }
            }
            if (actions.size() != 1) {
                throw DynamoException.validation("TransactItems can only contain one of Check, Put, Update or "
                        + "Delete");
            }
            Request action = actions.get(0);
            if (action.has("ReturnValues")) {
                throw DynamoException.validation("ReturnValues is not supported in TransactWriteItems; use "
                        + "ReturnValuesOnConditionCheckFailure");
            }
            ItemOperations.Prepared one;
            if (item.has("Put")) {
                one = items.preparePut(action);
            } else if (item.has("Update")) {
                one = items.prepareUpdate(action);
            } else if (item.has("Delete")) {
                one = items.prepareDelete(action);
            } else {
                one = items.prepareConditionCheck(action);
            }
            if (!touched.add(List.of(one.table().name(), one.key()))) {
                throw DynamoException.validation("Transaction request cannot include multiple operations on one item");
            }
            prepared.add(one);
        }
        if (prepared.stream().anyMatch(one -> one.conditionFailure() != null)) {
            throw cancelled(prepared);
        }
        Set<String> tables = new LinkedHashSet<>();
        for (ItemOperations.Prepared one : prepared) {
            tables.add(one.table().name());
            if (one.writes() && (one.oldItem() != null || one.newItem() != null)) {
                database.commit(one.table(), one.oldItem(), one.newItem(), false);
            }
        }
        ObjectNode response = JSON.objectNode();
        Capacity.reportEach(request, response, tables, 2);
        return response;
    }

    private static DynamoException cancelled(List<ItemOperations.Prepared> prepared) {
        List<DynamoException.CancellationReason> reasons = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        for (ItemOperations.Prepared one : prepared) {
            DynamoException failure = one.conditionFailure();
            if (failure == null) {
                reasons.add(new DynamoException.CancellationReason("None", null, null));
                codes.add("None");
            } else {
                reasons.add(new DynamoException.CancellationReason("ConditionalCheckFailed", failure.getMessage(),
                        failure.item()));
                codes.add("ConditionalCheckFailed");
            }
        }
        return new DynamoException("TransactionCanceledException", 400, "Transaction cancelled, please refer "
                + "cancellation reasons for specific reasons [" + String.join(", ", codes) + "]", null, reasons);
    }

    private static Map<String, JsonNode> requestItems(Request request) {
        Map<String, JsonNode> requestItems = request.map("RequestItems");
        if (requestItems == null) {
            request.notNull("RequestItems");
        } else if (requestItems.isEmpty()) {
            request.violation("RequestItems", "{}", "Member must have length greater than or equal to 1");
        }
        request.enumeration("ReturnConsumedCapacity", "INDEXES", "TOTAL", "NONE");
        request.check();
        return new LinkedHashMap<>(requestItems);
    }

    private static List<JsonNode> transactItems(Request request) {
        List<JsonNode> transactItems = request.list("TransactItems");
        if (transactItems == null) {
            request.notNull("TransactItems");
        } else if (transactItems.isEmpty() || transactItems.size() > MAX_TRANSACTION_ITEMS) {
            request.violation("TransactItems", transactItems.isEmpty() ? "[]" : "[...]", transactItems.isEmpty()
                    ? "Member must have length greater than or equal to 1"
                    : "Member must have length less than or equal to " + MAX_TRANSACTION_ITEMS);
        }
        request.enumeration("ReturnConsumedCapacity", "INDEXES", "TOTAL", "NONE");
        request.check();
        return transactItems;
    }
}
