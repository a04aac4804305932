package dev.spillway.local.dynamo.table;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.DynamoException;
import dev.spillway.local.dynamo.value.ItemSize;

/**
 * Query and Scan, with DynamoDB's paging: Limit counts the items read before the filter, a page stops at 1 MB, and
 * LastEvaluatedKey (table key, plus the index key on an index) resumes after the last item read.
 */
final class QueryOperations {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int PAGE_BYTES = 1024 * 1024;

    private final Database database;

    QueryOperations(Database database) {
        this.database = database;
    }

    /** What a Query or Scan reads: a table or one of its indexes. */
    private record Source(Table table, SecondaryIndex index) {

        KeySchema key() {
            return index == null ? table.key() : index.key();
        }

        ItemStore store() {
            return index == null ? table.store() : index.store();
        }

        List<AttributeValue> position(Map<String, AttributeValue> item) {
            return index == null ? table.key().rangePart(item) : index.position(item);
        }

        Map<String, AttributeValue> pagingKey(Map<String, AttributeValue> item) {
            return index == null ? table.key().keyOf(item) : index.pagingKey(item);
        }

        /** Checks an ExclusiveStartKey carries every attribute needed to resume. */
        void validateStartKey(Map<String, AttributeValue> start) {
            Map<String, AttributeValue> expected = pagingKey(start);
            if (expected.containsValue(null) || expected.size() != start.size()) {
                throw DynamoException.validation("The provided starting key is invalid");
            }
            KeySchema tableKey = table.key();
            for (KeySchema key : index == null ? List.of(tableKey) : List.of(tableKey, index.key())) {
                key.validateKey(key.keyOf(start));
            }
        }
    }

    ObjectNode query(Request request) {
        Source source = source(request);
        RequestExpressions expressions = new RequestExpressions(request, "KeyConditionExpression", "FilterExpression",
                "ProjectionExpression");
        RequestExpressions.ParsedKeyCondition keyCondition = expressions.keyCondition("KeyConditionExpression",
                source.key());
        return run(request, source, expressions, keyCondition);
    }

    ObjectNode scan(Request request) {
        Source source = source(request);
        RequestExpressions expressions = new RequestExpressions(request, "FilterExpression", "ProjectionExpression");
        return run(request, source, expressions, null);
    }

    private Source source(Request request) {
        String indexName = request.optionalName("IndexName");
        String tableName = request.tableName("TableName");
        request.integerAtLeast("Limit", 1);
        request.enumeration("Select", "SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES");
        request.enumeration("ReturnConsumedCapacity", "INDEXES", "TOTAL", "NONE");
        request.check();
        Table table = database.table(tableName);
        SecondaryIndex index = indexName == null ? null : table.index(indexName);
        if (index != null && index.global() && request.bool("ConsistentRead", false)) {
            throw DynamoException.validation("Consistent reads are not supported on global secondary indexes");
        }
        return new Source(table, index);
    }

    private ObjectNode run(Request request, Source source, RequestExpressions expressions,
            RequestExpressions.ParsedKeyCondition keyCondition) {
        Predicate<Map<String, AttributeValue>> filter = expressions.condition("FilterExpression");
        RequestExpressions.ParsedProjection projection = expressions.projection("ProjectionExpression");
        expressions.verifyAllUsed();
        if (keyCondition != null) {
            for (String attribute : source.key().names()) {
                if (expressions.attributesRead("FilterExpression").contains(attribute)) {
                    throw DynamoException.validation("Filter Expression can only contain non-primary key attributes: "
                            + "Primary key attribute: " + attribute);
                }
            }
        }
        String select = request.string("Select");
        if (select == null) {
            select = projection != null ? "SPECIFIC_ATTRIBUTES"
                    : source.index() == null ? "ALL_ATTRIBUTES" : "ALL_PROJECTED_ATTRIBUTES";
        }
        if (projection != null && !select.equals("SPECIFIC_ATTRIBUTES")) {
            throw DynamoException.validation("Cannot specify the ProjectionExpression when choosing to get "
                    + select);
        }
        if (select.equals("ALL_ATTRIBUTES") && source.index() != null && !source.index().projectsAll()) {
            throw DynamoException.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
                    + "is not supported for " + (source.index().global() ? "global" : "local") + " secondary index "
                    + source.index().name() + " because its projection type is not ALL");
        }
        Integer limit = request.integer("Limit");
        boolean forward = request.bool("ScanIndexForward", true);
        Map<String, AttributeValue> start = request.item("ExclusiveStartKey");
        if (start != null) {
            source.validateStartKey(start);
        }
        Predicate<Map<String, AttributeValue>> inSegment = segment(request, source.key());

        Iterator<Map<String, AttributeValue>> candidates;
        Predicate<Map<String, AttributeValue>> matches;
        KeySchema key = source.key();
        if (keyCondition != null) {
            AttributeValue hash = keyCondition.hashValue();
            if (start != null && !hash.equals(start.get(key.hashName()))) {
                throw DynamoException.validation("The provided starting key is outside query boundaries based on "
                        + "provided conditions");
            }
            candidates = source.store().partition(hash, start == null ? null : source.position(start), forward);
            Predicate<AttributeValue> range = keyCondition.range();
            matches = range == null ? item -> true : item -> range.test(item.get(key.rangeName()));
        } else {
            candidates = start == null ? source.store().all(null, null)
                    : source.store().all(start.get(key.hashName()), source.position(start));
            matches = inSegment;
        }

        ObjectNode response = JSON.objectNode();
        ArrayNode items = JSON.arrayNode();
        int count = 0;
        int scanned = 0;
        long bytes = 0;
        Map<String, AttributeValue> last = null;
        while (candidates.hasNext()) {
            Map<String, AttributeValue> item = candidates.next();
            if (!matches.test(item)) {
                continue;
            }
            scanned++;
            bytes += ItemSize.of(item);
            last = item;
            if (filter == null || filter.test(item)) {
                count++;
                if (!select.equals("COUNT")) {
                    items.add(AttributeValueJson.itemToJson(projection == null ? item : projection.apply()
                            .apply(item)));
                }
            }
            if ((limit != null && scanned >= limit) || bytes >= PAGE_BYTES) {
                // Like DynamoDB, a page that stops on its limit names its last key even if nothing follows.
                response.set("LastEvaluatedKey", AttributeValueJson.itemToJson(source.pagingKey(last)));
                break;
            }
        }
        if (!select.equals("COUNT")) {
            response.set("Items", items);
        }
        response.put("Count", count);
        response.put("ScannedCount", scanned);
        Capacity.report(request, response, source.table().name(), Math.max(1, bytes / 4096.0));
        return response;
    }

    /** Scan's parallel segments: a partition belongs to one segment, by its hash value. */
    private static Predicate<Map<String, AttributeValue>> segment(Request request, KeySchema key) {
        Integer segment = request.integer("Segment");
        Integer total = request.integer("TotalSegments");
        if (segment == null && total == null) {
            return item -> true;
        }
        if (segment == null || total == null) {
            throw DynamoException.validation("The TotalSegments parameter is required but was not present in the "
                    + "request when Segment parameter is present");
        }
        if (total < 1 || total > 1000000 || segment < 0 || segment >= total) {
            throw DynamoException.validation("The Segment parameter is zero-based and must be less than parameter "
                    + "TotalSegments: Segment: " + segment + " is not less than TotalSegments: " + total);
        }
        return item -> Math.floorMod(item.get(key.hashName()).hashCode(), total) == segment;
    }
}
