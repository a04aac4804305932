package dev.spillway.core.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.capacity.policy.PredictiveScaler;
import dev.spillway.capacity.policy.PrescaleBudget;

/**
 * Raises a fleet's minimum to what its forecast needs a cold start ahead ({@link PredictiveScaler#floor}), never above
 * its maximum, for as many extra tasks as the day's GPU-hour budget covers ({@link PrescaleBudget}), and back to the
 * deployed minimum when the forecast falls or the budget is spent. Reactive target tracking keeps scaling above the
 * minimum throughout. The budget's ledger lives in the arrivals table, so a restart neither forgets nor repeats a
 * charge; of two ticks at once only one charges (a conditional write), and a tick not later than the last is ignored.
 */
@ApplicationScoped
public class Prescaler {

    private static final Logger LOG = Logger.getLogger(Prescaler.class);

    /** What one tick decided for a fleet. */
    public record Decision(String fleet, int forecastTasks, int minimum, double chargedToday) {
    }

    private final FleetForecasts forecasts;
    private final ArrivalHistory history;
    private final FleetFloor floor;
    private final PrescaleConfig config;

    public Prescaler(FleetForecasts forecasts, ArrivalHistory history, FleetFloor floor, PrescaleConfig config) {
        this.forecasts = forecasts;
        this.history = history;
        this.floor = floor;
        this.config = config;
    }

    /** Empty when the fleet cannot be pre-scaled from here, or another tick has decided for this moment. */
    public Optional<Decision> apply(String fleet, Optional<FleetForecast> forecast, Instant now) {
        Optional<FleetFloor.Bounds> found = floor.bounds(fleet);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        FleetFloor.Bounds bounds = found.get();
        int tasks = forecast.map(f -> PredictiveScaler.floor(forecasts.settings(bounds), forecasts.options(), f.model(),
                Duration.between(f.firstStart(), now).toSeconds())).orElse(0);
        int wanted = Math.max(0, Math.min(tasks, bounds.maximum()) - bounds.minimum());

        Optional<PrescaleLedger> previous = history.ledger(fleet);
        if (previous.isPresent() && !now.isAfter(previous.get().lastTick())) {
            return Optional.empty();
        }
        PrescaleBudget budget = new PrescaleBudget(config.gpuHoursPerDay(), config.instanceLinger(),
                previous.map(PrescaleLedger::budget).orElse(PrescaleBudget.State.EMPTY));
        int previousExtra = previous.map(ledger -> ledger.budget().extraTasks()).orElse(0);
        int granted = budget.grant(now.getEpochSecond(), wanted, config.tick().toMillis() / 3_600_000.0);
        int minimum = bounds.minimum() + granted;
        // Set while raised (every tick, so a failed call is made up for) and once when it comes down; the ledger is
        // written after, so a failure here charges nothing and the next tick tries again.
        if (granted > 0 || granted != previousExtra || previous.isEmpty()) {
            floor.setMinimum(fleet, minimum);
        }
        if (!history.replaceLedger(fleet, previous, new PrescaleLedger(budget.state(), now))) {
            LOG.debugf("prescale %s: another tick decided first", fleet);
            return Optional.empty();
        }
        if (granted != previousExtra) {
            LOG.infof("prescale %s: minimum %d (forecast needs %d tasks within %d min; %.2f of %.1f GPU-hours charged "
                    + "today)", fleet, minimum, tasks, config.coldStart().plus(config.metricLag()).toMinutes(),
                    budget.chargedToday(), config.gpuHoursPerDay());
        }
        return Optional.of(new Decision(fleet, tasks, minimum, budget.chargedToday()));
    }
}
