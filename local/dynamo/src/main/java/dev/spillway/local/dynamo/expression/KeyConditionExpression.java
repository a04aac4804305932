package dev.spillway.local.dynamo.expression;

/**
 * A KeyConditionExpression parsed but not yet checked against a key schema. DynamoDB reports unused expression
 * names and values before the key-schema errors, so a Query parses all its expressions, calls
 * {@link ExpressionContext#verifyAllUsed()}, and only then calls {@link #against}.
 */
public final class KeyConditionExpression {

    private final Condition tree;

    KeyConditionExpression(Condition tree) {
        this.tree = tree;
    }

    /**
     * The key condition for a table or index with these key attributes.
     *
     * @param hashType  S, N or B to check the values' types; null skips the check
     * @param rangeKey  null when the key schema has no range key
     * @throws dev.spillway.local.dynamo.value.DynamoException DynamoDB's ValidationException
     */
    public KeyCondition against(String hashKey, String hashType, String rangeKey, String rangeType) {
        return KeyConditionAnalyzer.analyze(tree, hashKey, hashType, rangeKey, rangeType);
    }
}
