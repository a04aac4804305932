package dev.spillway.capacity.sim;

import java.util.List;
import java.util.Map;

import dev.spillway.capacity.workload.Tier;

/**
 * What one simulated plan gives.
 *
 * @param workload              the workload's name
 * @param policy                the scaling policy's name
 * @param counts                what became of the requests
 * @param queueWait             queue waits of every job
 * @param queueWaitByTier       queue waits per tier (tiers without jobs are absent)
 * @param queueWaitByPhase      queue waits per phase of the workload, by when the job was accepted
 * @param peakIntakeConcurrency most intake functions busy at once
 * @param peakTasks             most tasks up at once (starting, serving or draining), summed over the fleets
 * @param coldStarts            tasks that started on a new instance
 * @param warmStarts            tasks that started on an instance still up from an earlier task
 * @param timesAtZero           times a fleet went down to zero tasks while its workload was still arriving
 * @param usage                 what it consumed
 * @param scalingEvents         every change of a desired count
 * @param timeline              minute by minute
 * @param endTime               when the simulation stopped, seconds
 * @param busySecondsPerJob     task time with at least one job running, per finished job: {@code meanProcessingTime}
 *                              as the simulated fleet measures it; NaN when no job finished
 */
public record PlanResult(String workload, String policy, Counts counts, WaitStats queueWait,
                         Map<Tier, WaitStats> queueWaitByTier, Map<String, WaitStats> queueWaitByPhase,
                         int peakIntakeConcurrency, int peakTasks, int coldStarts, int warmStarts, int timesAtZero,
                         Usage usage, List<ScalingEvent> scalingEvents, Timeline timeline, double endTime,
                         double busySecondsPerJob) {
}
