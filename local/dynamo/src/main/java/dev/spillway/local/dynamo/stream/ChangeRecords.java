package dev.spillway.local.dynamo.stream;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.local.dynamo.value.AttributeValue;
import dev.spillway.local.dynamo.value.AttributeValueJson;
import dev.spillway.local.dynamo.value.ItemSize;

/** Builds a stream record as GetRecords answers it, with the images the stream's view type asks for. */
final class ChangeRecords {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChangeRecords() {
    }

    static ObjectNode build(TableStream stream, String region, String sequenceNumber, Instant now,
            Map<String, AttributeValue> oldImage, Map<String, AttributeValue> newImage, boolean byTimeToLive) {
        Map<String, AttributeValue> keys = keys(stream.keyAttributes(), newImage != null ? newImage : oldImage);
        boolean withNew = newImage != null && stream.viewType().startsWith("NEW_");
        boolean withOld = oldImage != null
                && (stream.viewType().equals("OLD_IMAGE") || stream.viewType().equals("NEW_AND_OLD_IMAGES"));

        ObjectNode record = JSON.objectNode();
        // Unlike DynamoDB's, our IDs need only be unique; a random UUID is.
        record.put("eventID", UUID.randomUUID().toString().replace("-", ""));
        record.put("eventName", oldImage == null ? "INSERT" : newImage == null ? "REMOVE" : "MODIFY");
        record.put("eventVersion", "1.1");
        record.put("eventSource", "aws:dynamodb");
        record.put("awsRegion", region);
        ObjectNode dynamodb = record.putObject("dynamodb");
        dynamodb.put("ApproximateCreationDateTime", now.getEpochSecond());
        dynamodb.set("Keys", AttributeValueJson.itemToJson(keys));
        int size = ItemSize.of(keys);
        if (withNew) {
            dynamodb.set("NewImage", AttributeValueJson.itemToJson(newImage));
            size += ItemSize.of(newImage);
        }
        if (withOld) {
            dynamodb.set("OldImage", AttributeValueJson.itemToJson(oldImage));
            size += ItemSize.of(oldImage);
        }
        dynamodb.put("SequenceNumber", sequenceNumber);
        dynamodb.put("SizeBytes", size);
        dynamodb.put("StreamViewType", stream.viewType());
        if (byTimeToLive) {
            // The wire names are capitalised (the SDK's Identity); Lambda's event shape lowercases them.
            ObjectNode identity = record.putObject("userIdentity");
            identity.put("Type", "Service");
            identity.put("PrincipalId", "dynamodb.amazonaws.com");
        }
        return record;
    }

    private static Map<String, AttributeValue> keys(List<String> keyAttributes, Map<String, AttributeValue> item) {
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        for (String name : keyAttributes) {
            AttributeValue value = item.get(name);
            if (value != null) {
                keys.put(name, value);
            }
        }
        return keys;
    }
}
