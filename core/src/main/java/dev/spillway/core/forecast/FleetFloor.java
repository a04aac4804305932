package dev.spillway.core.forecast;

import java.util.Optional;

/**
 * Sets the fewest tasks a fleet keeps: how pre-scaling raises a fleet ahead of a forecast rise. Reactive scaling
 * still adds tasks above it. In AWS, the minimum of the ECS service's Application Auto Scaling target; locally, the
 * worker processes the local stack keeps.
 */
public interface FleetFloor {

    /** A fleet's minimum as deployed (where pre-scaling returns) and the most tasks it may have. */
    record Bounds(int minimum, int maximum) {

        public Bounds {
            if (minimum < 0 || maximum < minimum) {
                throw new IllegalArgumentException("0 <= minimum <= maximum, got " + minimum + " and " + maximum);
            }
        }
    }

    /** Nothing can be pre-scaled from here: the default where no adapter is configured. */
    FleetFloor NONE = new FleetFloor() {
        @Override
        public Optional<Bounds> bounds(String fleet) {
            return Optional.empty();
        }

        @Override
        public void setMinimum(String fleet, int tasks) {
            throw new IllegalStateException("no fleet floor here: " + fleet);
        }
    };

    /** Empty when this fleet's minimum cannot be set from here. */
    Optional<Bounds> bounds(String fleet);

    /** Makes {@code tasks} (within the bounds) the fleet's minimum. */
    void setMinimum(String fleet, int tasks);
}
