package dev.spillway.capacity.workload;

import java.util.Iterator;
import java.util.List;

/** Requests in arrival order: a trace read from a file or a generated profile. */
public interface Workload {

    /** What the plan calls it: the profile name or the trace's file name. */
    String name();

    /** Seconds from the first possible arrival to the last. */
    double duration();

    /** The stretches waits are reported for; they cover the whole duration. */
    List<Phase> phases();

    /** A fresh pass over the requests, the same sequence each time: two policies see identical arrivals. */
    Iterator<Request> requests();
}
