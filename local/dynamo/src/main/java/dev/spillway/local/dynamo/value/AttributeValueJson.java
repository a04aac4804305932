package dev.spillway.local.dynamo.value;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** DynamoDB's JSON wire form of attribute values and items ({@code {"S":"x"}}, {@code {"N":"1"}}, ...). */
public final class AttributeValueJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AttributeValueJson() {
    }

    public static ObjectNode itemToJson(Map<String, AttributeValue> item) {
        ObjectNode node = JSON.objectNode();
        item.forEach((name, value) -> node.set(name, toJson(value)));
        return node;
    }

    /** Reads an item (or a key); {@code what} names it in errors. */
    public static Map<String, AttributeValue> itemFromJson(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw DynamoException.serialization("Unexpected value type in payload for " + what);
        }
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            item.put(field.getKey(), fromJson(field.getValue()));
        }
        return item;
    }

    public static ObjectNode toJson(AttributeValue value) {
        ObjectNode node = JSON.objectNode();
        if (value instanceof AttributeValue.S s) {
            node.put("S", s.value());
        } else if (value instanceof AttributeValue.N n) {
            node.put("N", n.text());
        } else if (value instanceof AttributeValue.B b) {
            node.put("B", b.value().base64());
        } else if (value instanceof AttributeValue.Bool b) {
            node.put("BOOL", b.value());
        } else if (value instanceof AttributeValue.Null) {
            node.put("NULL", true);
        } else if (value instanceof AttributeValue.SS ss) {
            ArrayNode array = node.putArray("SS");
            ss.value().forEach(array::add);
        } else if (value instanceof AttributeValue.NS ns) {
            ArrayNode array = node.putArray("NS");
            ns.value().forEach(n -> array.add(n.toPlainString()));
        } else if (value instanceof AttributeValue.BS bs) {
            ArrayNode array = node.putArray("BS");
            bs.value().forEach(b -> array.add(b.base64()));
        } else if (value instanceof AttributeValue.L l) {
            ArrayNode array = node.putArray("L");
            l.value().forEach(v -> array.add(toJson(v)));
        } else if (value instanceof AttributeValue.M m) {
            node.set("M", itemToJson(m.value()));
        }
        return node;
    }

    /**
     * Reads one value as DynamoDB validates it: exactly one type, numbers in range, no empty or duplicate sets.
     *
     * @throws DynamoException ValidationException or SerializationException as DynamoDB answers
     */
    public static AttributeValue fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        AttributeValue value = null;
        int types = 0;
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode content = field.getValue();
            if (content == null || content.isNull()) {
                continue;
            }
            types++;
            value = switch (field.getKey()) {
                case "S" -> new AttributeValue.S(text(content, "S"));
                case "N" -> new AttributeValue.N(Numbers.parse(text(content, "N")));
                case "B" -> new AttributeValue.B(bytes(content));
                case "BOOL" -> {
                    if (!content.isBoolean()) {
                        throw DynamoException.serialization("Unexpected value type in payload");
                    }
                    yield new AttributeValue.Bool(content.booleanValue());
                }
                case "NULL" -> {
                    if (!content.isBoolean()) {
                        throw DynamoException.serialization("Unexpected value type in payload");
                    }
                    if (!content.booleanValue()) {
                        throw DynamoException.validation("One or more parameter values were invalid: Null attribute "
                                + "value types must have the value of true");
                    }
                    yield new AttributeValue.Null();
                }
                case "SS" -> {
                    Set<String> members = new LinkedHashSet<>();
                    for (JsonNode member : array(content)) {
                        if (!members.add(text(member, "SS"))) {
                            throw duplicateInSet("SS", content);
                        }
                    }
                    yield new AttributeValue.SS(nonEmpty(members, "SS"));
                }
                case "NS" -> {
                    Set<BigDecimal> members = new LinkedHashSet<>();
                    for (JsonNode member : array(content)) {
                        if (!members.add(Numbers.parse(text(member, "NS")))) {
                            throw duplicateInSet("NS", content);
                        }
                    }
                    yield new AttributeValue.NS(nonEmpty(members, "NS"));
                }
                case "BS" -> {
                    Set<AttributeValue.Bytes> members = new LinkedHashSet<>();
                    for (JsonNode member : array(content)) {
                        if (!members.add(bytes(member))) {
                            throw duplicateInSet("BS", content);
                        }
                    }
                    yield new AttributeValue.BS(nonEmpty(members, "BS"));
                }
                case "L" -> {
                    List<AttributeValue> members = new ArrayList<>();
                    for (JsonNode member : array(content)) {
                        members.add(fromJson(member));
                    }
                    yield new AttributeValue.L(members);
                }
                case "M" -> new AttributeValue.M(itemFromJson(content, "M"));
                default -> throw DynamoException.serialization("Unexpected field " + field.getKey() + " in payload");
            };
        }
        if (types != 1) {
            throw DynamoException.validation("Supplied AttributeValue " + (types == 0 ? "is empty" : "has more than one "
                    + "datatypes set") + ", must contain exactly one of the supported datatypes");
        }
        return value;
    }

    private static String text(JsonNode node, String type) {
        if (!node.isTextual()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        return node.textValue();
    }

    private static AttributeValue.Bytes bytes(JsonNode node) {
        if (!node.isTextual()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        try {
            return AttributeValue.Bytes.ofBase64(node.textValue());
        } catch (IllegalArgumentException e) {
            throw DynamoException.serialization("Base64 encoded length is expected a multiple of 4 bytes");
        }
    }

    private static Iterable<JsonNode> array(JsonNode node) {
        if (!node.isArray()) {
            throw DynamoException.serialization("Unexpected value type in payload");
        }
        return node;
    }

    private static <T> Set<T> nonEmpty(Set<T> members, String type) {
        if (members.isEmpty()) {
            // DynamoDB's own wording, double space included
            throw DynamoException.validation("One or more parameter values were invalid: " + switch (type) {
                case "SS" -> "An string set  may not be empty";
                case "NS" -> "An number set  may not be empty";
                default -> "Binary sets should not be empty";
            });
        }
        return members;
    }

    /** DynamoDB words this differently for each set type (spacing quirks included). */
    private static DynamoException duplicateInSet(String type, JsonNode members) {
        List<String> texts = new ArrayList<>();
        members.forEach(member -> texts.add(member.asText()));
        String listed = "[" + String.join(", ", texts) + "]";
        return DynamoException.validation(switch (type) {
            case "SS" -> "One or more parameter values were invalid: Input collection " + listed
                    + " contains duplicates.";
            case "NS" -> "Input collection contains duplicates";
            default -> "One or more parameter values were invalid: Input collection " + listed
                    + "of type BS contains duplicates.";
        });
    }
}
