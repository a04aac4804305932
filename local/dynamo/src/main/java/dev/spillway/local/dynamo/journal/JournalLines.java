package dev.spillway.local.dynamo.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;

/** Writes and reads the journal's lines (the format is in the package documentation). */
final class JournalLines {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JournalLines() {
    }

    static byte[] createTable(String table, ObjectNode description) {
        return line(entry("createTable", table).set("description", description));
    }

    static byte[] updateTable(String table, ObjectNode description) {
        return line(entry("updateTable", table).set("description", description));
    }

    static byte[] deleteTable(String table) {
        return line(entry("deleteTable", table));
    }

    static byte[] timeToLive(String table, String attribute) {
        return line(entry("timeToLive", table).put("attribute", attribute));
    }

    static byte[] put(String table, Map<String, AttributeValue> item) {
        return line(entry("put", table).set("item", AttributeValueJson.itemToJson(item)));
    }

    static byte[] delete(String table, Map<String, AttributeValue> key) {
        return line(entry("delete", table).set("key", AttributeValueJson.itemToJson(key)));
    }

    /** Parses one line and applies it; a line that is not whole JSON throws {@link IOException}. */
    static void apply(String line, ReplayTarget target) throws IOException {
        JsonNode entry = MAPPER.readTree(line);
        if (entry == null || !entry.isObject() || !entry.path("op").isTextual() || !entry.path("table").isTextual()) {
            throw new IOException("not a journal entry");
        }
        String table = entry.get("table").textValue();
        switch (entry.get("op").textValue()) {
            case "createTable" -> target.createTable((ObjectNode) entry.get("description"));
            case "updateTable" -> target.updateTable((ObjectNode) entry.get("description"));
            case "deleteTable" -> target.deleteTable(table);
            case "timeToLive" -> target.timeToLive(table, entry.path("attribute").textValue());
            case "put" -> target.put(table, AttributeValueJson.itemFromJson(entry.get("item"), "item"));
            case "delete" -> target.delete(table, AttributeValueJson.itemFromJson(entry.get("key"), "key"));
            default -> throw new IOException("unknown journal operation " + entry.get("op"));
        }
    }

    private static ObjectNode entry(String operation, String table) {
        return MAPPER.createObjectNode().put("op", operation).put("table", table);
    }

    private static byte[] line(ObjectNode entry) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(entry);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
