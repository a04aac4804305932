package dev.spillway.local;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.forecast.FleetFloor;

/**
 * Pre-scaling on the local stack: a fleet's minimum is how many worker processes it keeps, from
 * {@code SPILLWAY_WORKERS} up to {@code SPILLWAY_MAX_WORKERS}.
 */
@ApplicationScoped
public class LocalFleetFloor implements FleetFloor {

    @Override
    public Optional<Bounds> bounds(String fleet) {
        return LocalStack.fleetWorkers(fleet).map(workers -> new Bounds(workers.base(), workers.maximum()));
    }

    @Override
    public void setMinimum(String fleet, int tasks) {
        LocalStack.fleetWorkers(fleet).orElseThrow(() -> new IllegalArgumentException("no local fleet " + fleet))
                .setMinimum(tasks);
    }
}
