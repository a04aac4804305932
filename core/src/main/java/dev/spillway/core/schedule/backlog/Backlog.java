package dev.spillway.core.schedule.backlog;

import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.QueueDepth;

/**
 * One fleet's tier's autoscaling signal from one tick.
 *
 * @param visible messages waiting for a worker: the signal. In-flight messages are already being served (or held
 *        back for a retry back-off) by running workers, so they are not backlog; counting them would make the
 *        figure per worker at least the worker's concurrency whenever it is busy, and scale out a fleet that keeps up.
 * @param inFlight received and not yet done, published beside the signal for dashboards
 * @param perWorker {@code visible / running workers} when the worker count is known here, else null (in AWS the
 *        scaling policy's metric math divides by Container Insights' {@code RunningTaskCount})
 */
public record Backlog(String fleet, Tier tier, long visible, long inFlight, Double perWorker) {

    /** @param runningWorkers null when unknown; zero workers with a backlog reads as the whole backlog per worker */
    public static Backlog of(QueueDepth depth, Integer runningWorkers) {
        Double perWorker = runningWorkers == null ? null
                : (double) depth.visible() / Math.max(1, runningWorkers);
        return new Backlog(depth.fleet(), depth.tier(), depth.visible(), depth.inFlight(), perWorker);
    }
}
