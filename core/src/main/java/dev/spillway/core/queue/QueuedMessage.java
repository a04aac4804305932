package dev.spillway.core.queue;

import dev.spillway.core.job.Tier;

/**
 * A message received from one of a fleet's tier queues (or its dead-letter queue).
 *
 * @param fleet the fleet whose queue it came from ({@link Fleets})
 * @param jobId the job it points to, or null when the body is not a Spillway message
 * @param receiveCount how many times SQS has delivered it, this delivery included
 */
public record QueuedMessage(String fleet, Tier tier, boolean deadLetter, String messageId, String jobId,
        String receiptHandle, int receiveCount) {
}
