package dev.spillway.capacity.sim;

import java.time.Duration;

/**
 * What the planner assumes about the fleet beyond the CDK settings.
 *
 * @param dispatchSeconds     from the intake accepting a job to a worker being able to claim it (SQS send and receive,
 *                            the claim)
 * @param warmStart           start of a task on an instance still up from an earlier task: image and weights are on
 *                            its disk (the Hugging Face cache is a host volume), so only the container start and the
 *                            model load from gp3 EBS (about 2 min for 15 GB at its default 125 MiB/s) remain
 * @param instanceLinger      how long an instance without a task stays up: ECS managed scaling removes it after 15
 *                            minutes of low reservation
 * @param drainGrace          how long a stopping worker lets its jobs finish before it releases them to the queue
 *                            ({@code spillway.worker.drain-grace})
 * @param tierStarvationLimit a tier not served for this long is served first ({@code spillway.worker.tier-starvation-limit})
 * @param metricLagMinutes    how many minutes late the scaling policy sees the metrics
 */
public record FleetModel(double dispatchSeconds, Duration warmStart, Duration instanceLinger, Duration drainGrace,
                         Duration tierStarvationLimit, int metricLagMinutes) {

    public static FleetModel defaults() {
        return new FleetModel(0.05, Duration.ofSeconds(180), Duration.ofMinutes(15), Duration.ofSeconds(20),
                Duration.ofSeconds(10), 1);
    }
}
