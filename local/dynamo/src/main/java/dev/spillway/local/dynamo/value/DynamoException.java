package dev.spillway.local.dynamo.value;

import java.util.List;
import java.util.Map;

/**
 * An error answered in DynamoDB's shape: HTTP 400 (500 for {@code InternalServerError}) with
 * {@code {"__type":"com.amazonaws.dynamodb.v20120810#<type>","message":...}}, so the AWS SDK raises its own
 * exception class for {@code type}.
 *
 * @param item the item a failed condition returns with {@code ReturnValuesOnConditionCheckFailure=ALL_OLD}
 * @param cancellationReasons one per transaction item, for {@code TransactionCanceledException}
 */
public final class DynamoException extends RuntimeException {

    private final String type;
    private final int status;
    private final transient Map<String, AttributeValue> item;
    private final transient List<CancellationReason> cancellationReasons;

    public DynamoException(String type, int status, String message, Map<String, AttributeValue> item,
            List<CancellationReason> cancellationReasons) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
        this.item = item;
        this.cancellationReasons = cancellationReasons;
    }

    /** {@code Code} is {@code None}, {@code ConditionalCheckFailed}, {@code ValidationError}, ... */
    public record CancellationReason(String code, String message, Map<String, AttributeValue> item) {
    }

    public static DynamoException validation(String message) {
        return new DynamoException("ValidationException", 400, message, null, null);
    }

    public static DynamoException serialization(String message) {
        return new DynamoException("SerializationException", 400, message, null, null);
    }

    public static DynamoException resourceNotFound(String message) {
        return new DynamoException("ResourceNotFoundException", 400, message, null, null);
    }

    public static DynamoException resourceInUse(String message) {
        return new DynamoException("ResourceInUseException", 400, message, null, null);
    }

    public static DynamoException conditionalCheckFailed(Map<String, AttributeValue> item) {
        return new DynamoException("ConditionalCheckFailedException", 400, "The conditional request failed", item, null);
    }

    public static DynamoException unknownOperation() {
        return new DynamoException("UnknownOperationException", 400, null, null, null);
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }

    public Map<String, AttributeValue> item() {
        return item;
    }

    public List<CancellationReason> cancellationReasons() {
        return cancellationReasons;
    }
}
