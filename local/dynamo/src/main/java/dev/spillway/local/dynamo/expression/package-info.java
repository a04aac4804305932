/**
 * DynamoDB's expression language for the emulator: ConditionExpression, FilterExpression, KeyConditionExpression,
 * UpdateExpression and ProjectionExpression, parsed once per request by small hand-written recursive-descent parsers
 * ({@link dev.spillway.local.dynamo.expression.Expressions}) into immutable evaluators.
 *
 * <p>Errors are {@code ValidationException}s with the messages DynamoDB gives; where DynamoDB's behaviour is not
 * documented, dynalite (the conformance reference) decides. Syntax errors name the offending token and its
 * neighbours ({@code Syntax error; token: "+", near: "a+:v"}), as DynamoDB does.
 */
package dev.spillway.local.dynamo.expression;
