package dev.spillway.local.dynamo.journal;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;

/** One table as compaction writes it: its description, its TTL attribute (or null) and its items. */
public record TableState(ObjectNode description, String timeToLiveAttribute,
        List<Map<String, AttributeValue>> items) {
}
