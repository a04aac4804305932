package dev.spillway.core.forecast;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Each tick, per fleet: the forecast from the recorded intervals, published as a CloudWatch metric and a gauge at
 * {@code /q/metrics} ({@code ForecastArrivals}: the next interval's expected arrivals), then, when pre-scaling is on, the fleet's minimum
 * ({@code PrescaleFloor}: the tasks the forecast needs a cold start ahead; {@code PrescaleMinimum}: the minimum set;
 * {@code PrescaleGpuHours}: the budget charged today).
 * Runs after {@code arrivals} (tasks run by name), so the interval just recorded is in the forecast.
 */
@ApplicationScoped
public class ForecastTask implements ScheduledTask {

    private final FleetForecasts forecasts;
    private final Prescaler prescaler;
    private final Fleets fleets;
    private final ForecastConfig config;
    private final PrescaleConfig prescale;
    private final SpillwayMetrics metrics;

    public ForecastTask(FleetForecasts forecasts, Prescaler prescaler, Fleets fleets, ForecastConfig config,
            PrescaleConfig prescale, SpillwayMetrics metrics) {
        this.forecasts = forecasts;
        this.prescaler = prescaler;
        this.fleets = fleets;
        this.config = config;
        this.prescale = prescale;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return "forecast";
    }

    @Override
    public void run(Instant now) {
        if (!config.enabled()) {
            return;
        }
        for (String fleet : fleets.names()) {
            Optional<FleetForecast> forecast = forecasts.forecast(fleet, now);
            Optional<Prescaler.Decision> decision = prescale.enabled() ? prescaler.apply(fleet, forecast, now)
                    : Optional.empty();
            if (forecast.isPresent() || decision.isPresent()) {
                metrics.forecast(fleet, forecast.map(f -> f.arrivalsAt(f.firstStart())).orElse(null),
                        decision.map(Prescaler.Decision::forecastTasks).orElse(null),
                        decision.map(Prescaler.Decision::minimum).orElse(null),
                        decision.map(Prescaler.Decision::chargedToday).orElse(null));
            }
        }
    }
}
