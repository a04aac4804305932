package dev.spillway.core.forecast;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** Unless an app can set fleets' minimums (the scheduler function in AWS, the local stack), nothing is pre-scaled. */
public class FleetFloorProducer {

    @Produces
    @Singleton
    @DefaultBean
    FleetFloor none() {
        return FleetFloor.NONE;
    }
}
