package dev.spillway.capacity.sim;

import dev.spillway.capacity.workload.Request;

/** A spilled request on its way through the queue, a worker and back to its caller. */
final class JobSim {

    final Request request;
    /** When the intake accepted it; its queue wait runs from here. */
    final double acceptedAt;
    /** Decode steps of the task's engine it needs. */
    final double work;
    double startedAt = Double.NaN;
    /** The task's step count at which it is done. */
    double finishMark;
    /** The intake function holds the caller until this time, or the result. */
    boolean holding;
    /** When the caller got a 202, NaN while none was sent. */
    double answered202At = Double.NaN;
    /** When that 202 told the caller to look again. */
    double firstPollAt;

    JobSim(final Request request, final double acceptedAt, final double work) {
        this.request = request;
        this.acceptedAt = acceptedAt;
        this.work = work;
    }
}
