package dev.spillway.local;

import java.util.OptionalInt;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.schedule.backlog.RunningWorkers;

/**
 * The local stack knows its workers: each fleet's backlog per worker is divided by that fleet's worker processes alive
 * at each tick.
 */
@ApplicationScoped
public class SupervisedWorkers implements RunningWorkers {

    @Override
    public OptionalInt count(String fleet) {
        return OptionalInt.of(LocalStack.runningWorkers(fleet));
    }
}
