package dev.spillway.local.dynamo.table;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.DynamoException;

/**
 * The single-item operations. Each write is first prepared (validated, condition checked, new image computed)
 * and then committed, so transactions can prepare all their items before committing any.
 */
final class ItemOperations {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * A write ready to commit.
     *
     * @param newItem the item after the write, null for a delete
     * @param writes false for a ConditionCheck, which changes nothing
     * @param updatedPart for UPDATED_OLD / UPDATED_NEW: the updated attributes of an image
     * @param conditionFailure set when the condition failed: then nothing may be committed
     */
    record Prepared(Table table, Map<String, AttributeValue> key, Map<String, AttributeValue> oldItem,
            Map<String, AttributeValue> newItem, boolean writes,
            UnaryOperator<Map<String, AttributeValue>> updatedPart, DynamoException conditionFailure) {

        /** For single-item operations: a failed condition is their answer. */
        Prepared orThrow() {
            if (conditionFailure != null) {
                throw conditionFailure;
            }
            return this;
        }
    }

    private final Database database;

    ItemOperations(Database database) {
        this.database = database;
    }

    ObjectNode getItem(Request request) {
        String tableName = request.tableName("TableName");
        Map<String, AttributeValue> key = request.requiredItem("Key");
        request.enumeration("ReturnConsumedCapacity", "INDEXES", "TOTAL", "NONE");
        request.bool("ConsistentRead", false);
        request.check();
        UnaryOperator<Map<String, AttributeValue>> projection = RequestExpressions.onlyProjection(request);
        Table table = database.table(tableName);
        table.key().validateKey(key);
        Map<String, AttributeValue> item = table.get(key);
        ObjectNode response = JSON.objectNode();
        if (item != null) {
            response.set("Item", AttributeValueJson.itemToJson(projection.apply(item)));
        }
        Capacity.report(request, response, tableName, 1);
        return response;
    }

    ObjectNode putItem(Request request) {
        String returnValues = returnValues(request, "PutItem");
        Prepared prepared = preparePut(request).orThrow();
        database.commit(prepared.table(), prepared.oldItem(), prepared.newItem(), false);
        return answer(request, prepared, returnValues);
    }

    ObjectNode updateItem(Request request) {
        String returnValues = returnValues(request, "UpdateItem");
        Prepared prepared = prepareUpdate(request).orThrow();
        database.commit(prepared.table(), prepared.oldItem(), prepared.newItem(), false);
        return answer(request, prepared, returnValues);
    }

    ObjectNode deleteItem(Request request) {
        String returnValues = returnValues(request, "DeleteItem");
        Prepared prepared = prepareDelete(request).orThrow();
        if (prepared.oldItem() != null) {
            database.commit(prepared.table(), prepared.oldItem(), null, false);
        }
        return answer(request, prepared, returnValues);
    }

    Prepared preparePut(Request request) {
        String tableName = request.tableName("TableName");
        Map<String, AttributeValue> item = request.requiredItem("Item");
        String onFailure = commonParameters(request);
        RequestExpressions expressions = new RequestExpressions(request, "ConditionExpression");
        Predicate<Map<String, AttributeValue>> condition = expressions.condition("ConditionExpression");
        expressions.verifyAllUsed();
        Table table = database.table(tableName);
        table.validateItem(item);
        Map<String, AttributeValue> oldItem = table.get(item);
        return new Prepared(table, table.key().keyOf(item), oldItem, item, true, null,
                check(condition, oldItem, onFailure));
    }

    Prepared prepareUpdate(Request request) {
        String tableName = request.tableName("TableName");
        Map<String, AttributeValue> key = request.requiredItem("Key");
        String onFailure = commonParameters(request);
        RequestExpressions expressions = new RequestExpressions(request, "UpdateExpression", "ConditionExpression");
        RequestExpressions.ParsedUpdate update = expressions.update("UpdateExpression");
        Predicate<Map<String, AttributeValue>> condition = expressions.condition("ConditionExpression");
        expressions.verifyAllUsed();
        Table table = database.table(tableName);
        table.key().validateKey(key);
        if (update != null) {
            table.validateUpdate(update);
        }
        Map<String, AttributeValue> oldItem = table.get(key);
        DynamoException failure = check(condition, oldItem, onFailure);
        if (failure != null) {
            return new Prepared(table, key, oldItem, null, true, null, failure);
        }
        Map<String, AttributeValue> base = oldItem != null ? oldItem : new LinkedHashMap<>(key);
        Map<String, AttributeValue> newItem = update == null ? base : update.apply().apply(base);
        table.validateItem(newItem, "Item size to update has exceeded the maximum allowed size");
        return new Prepared(table, key, oldItem, newItem, true, update == null ? null : update.updatedPart(), null);
    }

    Prepared prepareDelete(Request request) {
        return prepareByKey(request, true);
    }

    /** A transaction's ConditionCheck: like a delete that changes nothing, and whose condition is required. */
    Prepared prepareConditionCheck(Request request) {
        return prepareByKey(request, false);
    }

    /** A DeleteItem when {@code deletes}, else a ConditionCheck: the same request but for what it writes. */
    private Prepared prepareByKey(Request request, boolean deletes) {
        String tableName = request.tableName("TableName");
        Map<String, AttributeValue> key = request.requiredItem("Key");
        if (!deletes && !request.has("ConditionExpression")) {
            request.notNull("ConditionExpression");
        }
        String onFailure = commonParameters(request);
        RequestExpressions expressions = new RequestExpressions(request, "ConditionExpression");
        Predicate<Map<String, AttributeValue>> condition = expressions.condition("ConditionExpression");
        expressions.verifyAllUsed();
        Table table = database.table(tableName);
        table.key().validateKey(key);
        Map<String, AttributeValue> oldItem = table.get(key);
        return new Prepared(table, key, oldItem, deletes ? null : oldItem, deletes, null,
                check(condition, oldItem, onFailure));
    }

    /** Validates the parameters every write shares; returns ReturnValuesOnConditionCheckFailure. */
    private static String commonParameters(Request request) {
        request.enumeration("ReturnConsumedCapacity", "INDEXES", "TOTAL", "NONE");
        request.enumeration("ReturnItemCollectionMetrics", "SIZE", "NONE");
        String onFailure = request.enumeration("ReturnValuesOnConditionCheckFailure", "ALL_OLD", "NONE");
        request.check();
        return onFailure;
    }

    private static String returnValues(Request request, String operation) {
        String returnValues = request.enumeration("ReturnValues", "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE",
                "UPDATED_NEW");
        request.check();
        if (returnValues != null && !operation.equals("UpdateItem") && !returnValues.equals("ALL_OLD")
                && !returnValues.equals("NONE")) {
            throw DynamoException.validation("ReturnValues can only be ALL_OLD or NONE");
        }
        return returnValues == null ? "NONE" : returnValues;
    }

    /** Tests a condition against the current item (an empty one when missing); returns the failure, if any. */
    private static DynamoException check(Predicate<Map<String, AttributeValue>> condition,
            Map<String, AttributeValue> oldItem, String onFailure) {
        if (condition != null && !condition.test(oldItem == null ? Map.of() : oldItem)) {
            return DynamoException.conditionalCheckFailed("ALL_OLD".equals(onFailure) ? oldItem : null);
        }
        return null;
    }

    private static ObjectNode answer(Request request, Prepared prepared, String returnValues) {
        Map<String, AttributeValue> attributes = switch (returnValues) {
            case "ALL_OLD" -> prepared.oldItem();
            case "ALL_NEW" -> prepared.newItem();
            case "UPDATED_OLD" -> prepared.oldItem() == null || prepared.updatedPart() == null ? null
                    : prepared.updatedPart().apply(prepared.oldItem());
            case "UPDATED_NEW" -> prepared.updatedPart() == null ? null
                    : prepared.updatedPart().apply(prepared.newItem());
            default -> null;
        };
        ObjectNode response = JSON.objectNode();
        if (attributes != null && !attributes.isEmpty()) {
            response.set("Attributes", AttributeValueJson.itemToJson(attributes));
        }
        Capacity.report(request, response, prepared.table().name(), 1);
        return response;
    }
}
