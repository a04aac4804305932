package dev.spillway.core.queue;

import dev.spillway.core.job.Tier;

/**
 * How many messages one of a fleet's tier queues holds, as SQS approximates them.
 *
 * @param fleet the fleet the queue belongs to ({@link Fleets})
 * @param visible waiting for a worker ({@code ApproximateNumberOfMessages})
 * @param inFlight received and not yet deleted or returned: running, or hidden for a retry back-off
 *        ({@code ApproximateNumberOfMessagesNotVisible})
 */
public record QueueDepth(String fleet, Tier tier, long visible, long inFlight) {
}
