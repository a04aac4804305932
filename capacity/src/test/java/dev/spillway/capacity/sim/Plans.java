package dev.spillway.capacity.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.FixedSettings;
import dev.spillway.capacity.workload.Request;
import dev.spillway.capacity.workload.Tier;
import dev.spillway.capacity.workload.Trace;

/** Small workloads and systems for the simulation tests. */
final class Plans {

    private Plans() {
    }

    static CapacitySettings settings(final Map<String, Object> context) {
        return FixedSettings.of(context);
    }

    /** {@code count} identical requests arriving together at {@code at}. */
    static Trace burst(final int count, final double at) {
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(new Request(at, "m", Tier.STANDARD, 200, 100));
        }
        return new Trace("burst", requests);
    }

    /** A fleet model with no SQS delay, so waits are the queueing alone. */
    static FleetModel instantDispatch() {
        FleetModel defaults = FleetModel.defaults();
        return new FleetModel(0, defaults.warmStart(), defaults.instanceLinger(), defaults.drainGrace(),
                defaults.tierStarvationLimit(), defaults.metricLagMinutes());
    }
}
