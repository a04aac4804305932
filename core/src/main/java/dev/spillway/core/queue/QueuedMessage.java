package dev.spillway.core.queue;

import dev.spillway.core.job.Tier;

/**
 * A message received from a tier queue (or its dead-letter queue).
 *
 * @param jobId the job it points to, or null when the body is not a Spillway message
 * @param receiveCount how many times SQS has delivered it, this delivery included
 */
public record QueuedMessage(Tier tier, boolean deadLetter, String messageId, String jobId, String receiptHandle,
        int receiveCount) {
}
