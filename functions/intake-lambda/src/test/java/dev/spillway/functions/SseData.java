package dev.spillway.functions;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A server-sent event stream's {@code data:} payloads, as the tests read a streamed answer. */
final class SseData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseData() {
    }

    /** Every {@code data:} payload, in order, {@code [DONE]} included. */
    static List<String> dataLines(String events) {
        List<String> data = new ArrayList<>();
        for (String line : events.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        return data;
    }

    /** The payloads that are chunks: all but {@code [DONE]}, parsed. */
    static List<JsonNode> chunks(List<String> data) throws Exception {
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : data) {
            if (!line.equals("[DONE]")) {
                chunks.add(JSON.readTree(line));
            }
        }
        return chunks;
    }
}
