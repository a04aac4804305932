package dev.spillway.capacity.sim;

import java.util.ArrayList;
import java.util.List;

/** A worker task (vLLM and the worker on one GPU): its lifecycle and the jobs it runs. */
final class TaskSim {

    enum State {
        /** Wanted, but every instance the fleet may have is taken: it waits for one to free up. */
        PENDING,
        /** Its instance boots, pulls the image, loads the model. */
        STARTING,
        /** Takes jobs. */
        SERVING,
        /** Stopped by a scale-in: takes no new job, finishes or releases its own, then goes. */
        DRAINING,
        STOPPED
    }

    final double launchedAt;
    State state = State.PENDING;
    InstanceSim instance;
    double readyAt = Double.NaN;
    final List<JobSim> running = new ArrayList<>();
    /** Engine steps done since the task started; a job is done when this reaches its mark. */
    private double steps;
    private double updatedAt;
    /** Bumped whenever the next completion moves, so a stale completion event is recognised and ignored. */
    long version;
    double busySeconds;

    TaskSim(final double launchedAt) {
        this.launchedAt = launchedAt;
    }

    /** Brings the step count up to {@code now} at the speed of the current batch. */
    void advance(final double now, final StepCost cost) {
        if (!running.isEmpty()) {
            steps += (now - updatedAt) / cost.stepSeconds(running.size());
            busySeconds += now - updatedAt;
        }
        updatedAt = now;
    }

    double steps() {
        return steps;
    }

    /** Seconds from now until the first running job is done, at the current batch's speed; NaN when idle. */
    double untilNextCompletion(final StepCost cost) {
        if (running.isEmpty()) {
            return Double.NaN;
        }
        double nearest = Double.POSITIVE_INFINITY;
        for (JobSim job : running) {
            nearest = Math.min(nearest, job.finishMark);
        }
        return Math.max(0, nearest - steps) * cost.stepSeconds(running.size());
    }

    boolean isUp() {
        return state == State.PENDING || state == State.STARTING || state == State.SERVING;
    }
}
