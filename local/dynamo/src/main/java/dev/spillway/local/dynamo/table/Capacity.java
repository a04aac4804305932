package dev.spillway.local.dynamo.table;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** ConsumedCapacity, reported only when the request asks (a plausible figure: we do not meter). */
final class Capacity {

    private Capacity() {
    }

    static boolean asked(Request request) {
        String mode = request.string("ReturnConsumedCapacity");
        return "TOTAL".equals(mode) || "INDEXES".equals(mode);
    }

    static void report(Request request, ObjectNode response, String table, double units) {
        if (asked(request)) {
            entry(response.putObject("ConsumedCapacity"), table, units);
        }
    }

    /** For the batch and transaction operations, which answer a list of per-table entries. */
    static void reportEach(Request request, ObjectNode response, Iterable<String> tables, double units) {
        if (asked(request)) {
            ArrayNode list = response.putArray("ConsumedCapacity");
            tables.forEach(table -> entry(list.addObject(), table, units));
        }
    }

    private static void entry(ObjectNode capacity, String table, double units) {
        capacity.put("TableName", table).put("CapacityUnits", units);
    }
}
