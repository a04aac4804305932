package dev.spillway.capacity.policy;

import java.util.Locale;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.forecast.HoltWinters;

/**
 * Reactive scaling with a forecast floor. Each period it
 * <ol>
 *   <li>counts the period's spilled arrivals into the current interval and, when the interval closes, into a
 *       {@link HoltWinters} forecast (a season of one day by default);</li>
 *   <li>asks the deployed target tracking ({@code weighted}) what it wants, as if the floor's extra tasks did not
 *       exist: it sees its own desired count and, while the floor adds tasks, at most that many running tasks, so
 *       it is the safety net that remains when the floor comes down or the forecast is wrong;</li>
 *   <li>raises the count to the floor: the tasks the forecast needs from now until a cold start and the metric lag
 *       from now ({@code ceil(forecast jobs/s x headroom / one task's jobs/s)}, never above {@code maxTasks}). A task
 *       asked for now serves by then; the floor falls again when the forecast does;</li>
 *   <li>keeps the floor's extra tasks within the day's GPU-hour budget: each is charged from the minute it is asked
 *       for, and its instance's linger when it is released; a task is added only when the budget covers its minute
 *       and the linger of every extra task. The day's charge thus never exceeds the budget, whatever the forecast.</li>
 * </ol>
 */
public final class PredictiveScaler implements FleetScaler {

    private final CapacitySettings settings;
    private final PrescaleOptions options;
    private final BacklogTargetTracking reactive;
    private final HoltWinters forecast;
    private final int periodsPerInterval;
    private final double leadSeconds;
    private int reactiveDesired;
    private double intervalArrivals;
    private int periodsInInterval;
    private double lastTime = Double.NaN;
    private final PrescaleBudget budget;

    /** @param history spilled arrivals per interval before the plan starts, oldest first */
    public PredictiveScaler(final CapacitySettings settings, final PrescaleOptions options, final double[] history) {
        this.settings = settings;
        this.options = options;
        this.reactive = (BacklogTargetTracking) ScalingPolicies.WEIGHTED.newScaler(settings);
        this.forecast = HoltWinters.withDefaults(options.seasonIntervals());
        this.periodsPerInterval = (int) (options.interval().toSeconds() / 60);
        this.leadSeconds = settings.coldStartMax().toSeconds() + options.metricLag().toSeconds();
        this.reactiveDesired = reactive.initialTasks();
        this.budget = new PrescaleBudget(options.gpuHoursPerDay(), options.instanceLinger(), PrescaleBudget.State.EMPTY);
        for (double count : history) {
            forecast.observe(count);
        }
    }

    @Override
    public int initialTasks() {
        return reactive.initialTasks();
    }

    /** GPU-hours charged to the budget so far, over every day. */
    public double chargedGpuHours() {
        return budget.chargedTotal();
    }

    /** Tasks the floor holds above what reactive scaling wants, after the last period. */
    public int extraTasks() {
        return budget.state().extraTasks();
    }

    /** Tasks the forecast asks for from now to a lead time ahead; 0 before two seasons are observed. */
    public int floor() {
        return floor(settings, options, forecast, periodsInInterval * 60);
    }

    /**
     * Tasks {@code forecast} asks for from now to a lead time ahead ({@code coldStartMax} plus the metric lag): the
     * largest forecast rate in that window x headroom / one task's jobs per second, never above {@code maxTasks}; 0
     * before two seasons are observed. The runtime's pre-scaling task asks the same question of the recorded series.
     *
     * @param secondsIntoInterval how far into the current (not yet observed) interval now is
     */
    public static int floor(final CapacitySettings settings, final PrescaleOptions options, final HoltWinters forecast,
            final double secondsIntoInterval) {
        if (!forecast.ready()) {
            return 0;
        }
        double intervalSeconds = options.interval().toSeconds();
        double leadSeconds = settings.coldStartMax().toSeconds() + options.metricLag().toSeconds();
        int ahead = 1 + (int) Math.ceil((secondsIntoInterval + leadSeconds) / intervalSeconds);
        double peak = 0;
        for (int h = 1; h <= ahead; h++) {
            peak = Math.max(peak, forecast.forecast(h));
        }
        double jobsPerSecond = peak / intervalSeconds;
        int tasks = (int) Math.ceil(jobsPerSecond * options.headroom() / settings.taskJobsPerSecond() - 1e-9);
        return Math.min(settings.maxTasks(), Math.max(0, tasks));
    }

    @Override
    public Decision decide(final FleetMetrics metrics) {
        double now = metrics.time();
        double periodHours = (Double.isNaN(lastTime) ? 60 : now - lastTime) / 3600;
        lastTime = now;
        learn(metrics.arrivals());

        // while the floor holds extra tasks, reactive scaling counts only its own: it must want what it would alone
        int running = metrics.desired() > reactiveDesired ? Math.min(metrics.runningTasks(), reactiveDesired)
                : metrics.runningTasks();
        Decision wanted = reactive.decide(new FleetMetrics(now, reactiveDesired, metrics.visible(),
                metrics.weightedVisible(), metrics.inFlight(), running, metrics.arrivals()));
        reactiveDesired = wanted.desired();

        int floor = floor();
        int extra = budget.grant(now, Math.max(0, Math.min(settings.maxTasks(), floor) - reactiveDesired), periodHours);

        int desired = reactiveDesired + extra;
        if (desired == metrics.desired()) {
            return Decision.keep(desired);
        }
        String reason = extra > 0
                ? String.format(Locale.ROOT, "pre-scaling: the forecast needs %d tasks within %.0f min (%d above "
                        + "reactive scaling; %.2f of %.1f GPU-hours charged today)", floor, leadSeconds / 60, extra,
                        budget.chargedToday(), options.gpuHoursPerDay())
                : wanted.reason() != null ? wanted.reason() : "pre-scaling ends: back to what reactive scaling wants";
        return new Decision(desired, reason);
    }

    private void learn(final int arrivals) {
        intervalArrivals += arrivals;
        if (++periodsInInterval == periodsPerInterval) {
            forecast.observe(intervalArrivals);
            intervalArrivals = 0;
            periodsInInterval = 0;
        }
    }
}
