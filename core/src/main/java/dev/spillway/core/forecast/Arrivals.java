package dev.spillway.core.forecast;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.job.Job;
import dev.spillway.core.queue.Fleets;

/**
 * Counts each admitted spill-lane job into its fleet's current interval: the jobs a fleet must serve are what its
 * forecast and its floor are about (cache hits and direct-lane answers never reach a GPU). Counting is one Redis
 * {@code INCR}; when Redis is down the arrival is not counted and the admission goes on, since Redis is an
 * accelerator, never a dependency.
 */
@ApplicationScoped
public class Arrivals {

    private static final Logger LOG = Logger.getLogger(Arrivals.class);

    private final ArrivalCounter counter;
    private final Fleets fleets;
    private final ForecastConfig config;
    private final Clock clock;

    public Arrivals(ArrivalCounter counter, Fleets fleets, ForecastConfig config, Clock clock) {
        this.counter = counter;
        this.fleets = fleets;
        this.config = config;
        this.clock = clock;
    }

    /** Counts one newly admitted job. Never throws. */
    public void admitted(Job job) {
        if (!config.enabled()) {
            return;
        }
        try {
            Series series = new Series(fleets.of(job.model()), job.tier());
            counter.increment(series, Intervals.startOf(clock.instant(), config.interval()), keep());
        } catch (RuntimeException e) {
            LOG.debugf("arrival of job %s not counted: %s", job.id(), e.toString());
        }
    }

    /** A counter outlives the interval, the settling time and every tick that may still record it. */
    private Duration keep() {
        return config.interval().plus(config.settle()).plus(config.catchUp()).plus(config.interval());
    }
}
