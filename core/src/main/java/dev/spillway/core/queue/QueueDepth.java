package dev.spillway.core.queue;

import dev.spillway.core.job.Tier;

/**
 * How many messages a tier queue holds, as SQS approximates them.
 *
 * @param visible waiting for a worker ({@code ApproximateNumberOfMessages})
 * @param inFlight received and not yet deleted or returned: running, or hidden for a retry back-off
 *        ({@code ApproximateNumberOfMessagesNotVisible})
 */
public record QueueDepth(Tier tier, long visible, long inFlight) {
}
