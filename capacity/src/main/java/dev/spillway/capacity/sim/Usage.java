package dev.spillway.capacity.sim;

/**
 * What a plan consumes, for the price table.
 *
 * @param instanceType       the fleet's GPU instance type
 * @param gpuInstanceHours   hours GPU instances were up, cold starts and idle lingering included
 * @param lambdaGbSeconds    intake function time times its memory
 * @param lambdaInvocations  intake function invocations (requests and polls)
 * @param sqsRequests        SQS calls for the jobs (send, receive, delete, visibility heartbeats)
 * @param dynamoWriteUnits   DynamoDB writes for the jobs (create, claim, heartbeats, result)
 * @param dynamoReadUnits    DynamoDB reads (polls)
 * @param directInputTokens  prompt tokens sent to the direct lane's upstream
 * @param directOutputTokens tokens the direct lane's upstream generated
 */
public record Usage(String instanceType, double gpuInstanceHours, double lambdaGbSeconds, long lambdaInvocations,
                    long sqsRequests, long dynamoWriteUnits, long dynamoReadUnits, long directInputTokens,
                    long directOutputTokens) {
}
