package dev.spillway.capacity.policy;

/**
 * A fleet as its scaling policy sees it once per metric period: what CloudWatch would report, sampled at the end of
 * the period (and as late as the metrics arrive).
 *
 * @param time         seconds from the start of the plan when the policy evaluates
 * @param desired      the service's desired task count now
 * @param visible      messages waiting in the fleet's queues (SQS {@code ApproximateNumberOfMessagesVisible})
 * @param weightedVisible the same, each tier's weighed by its {@link dev.spillway.capacity.workload.Tier#scalingWeight()}
 * @param inFlight     messages received by workers and not yet deleted ({@code ApproximateNumberOfMessagesNotVisible})
 * @param runningTasks tasks running (Container Insights {@code RunningTaskCount})
 * @param arrivals     jobs spilled to this fleet during the period
 */
public record FleetMetrics(double time, int desired, int visible, double weightedVisible, int inFlight,
                           int runningTasks, int arrivals) {
}
