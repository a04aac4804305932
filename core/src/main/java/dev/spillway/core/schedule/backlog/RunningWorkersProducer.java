package dev.spillway.core.schedule.backlog;

import java.util.OptionalInt;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** Unless an app knows its workers (the local stack does), their number is unknown. */
public class RunningWorkersProducer {

    @Produces
    @Singleton
    @DefaultBean
    RunningWorkers unknown() {
        return fleet -> OptionalInt.empty();
    }
}
