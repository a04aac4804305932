package dev.spillway.capacity.policy;

import java.time.Duration;

/**
 * The day's GPU-hour budget of the tasks a forecast floor adds: each extra task is charged from the period it is
 * granted for, and its instance's linger when it is released; a task is granted only when the day's budget covers its
 * period and the linger of every extra task. The day's charge thus never exceeds the budget, whatever the forecast.
 * The planner's {@link PredictiveScaler} and the runtime's pre-scaling task both spend through here; the runtime keeps
 * the {@link State} where it survives restarts.
 */
public final class PrescaleBudget {

    private static final double DAY_SECONDS = 86_400;

    /**
     * What a budget remembers between periods.
     *
     * @param day          the day (since the epoch, or since the plan's start) {@code chargedToday} belongs to
     * @param chargedToday GPU-hours charged that day
     * @param extraTasks   tasks granted in the last period
     */
    public record State(long day, double chargedToday, int extraTasks) {

        /** Nothing charged, nothing granted. */
        public static final State EMPTY = new State(Long.MIN_VALUE, 0, 0);
    }

    private final double gpuHoursPerDay;
    private final double lingerHours;
    private State state;
    private double chargedTotal;

    public PrescaleBudget(final double gpuHoursPerDay, final Duration instanceLinger, final State state) {
        this.gpuHoursPerDay = gpuHoursPerDay;
        this.lingerHours = instanceLinger.toSeconds() / 3600.0;
        this.state = state;
    }

    /**
     * Grants the most extra tasks, up to {@code wanted}, that today's budget covers for the next period, and charges
     * them (and the linger of those released since the last period).
     *
     * @param nowSeconds  now, in seconds since the epoch (or the plan's start): days are counted from it
     * @param wanted      extra tasks the forecast asks for
     * @param periodHours how long the grant lasts, in hours
     * @return the extra tasks granted, 0 to {@code wanted}
     */
    public int grant(final double nowSeconds, final int wanted, final double periodHours) {
        long today = (long) Math.floor(nowSeconds / DAY_SECONDS);
        double chargedToday = today == state.day() ? state.chargedToday() : 0;
        int previous = state.extraTasks();
        int granted = 0;
        for (int extra = Math.max(0, wanted); extra > 0; extra--) {
            if (chargedToday + extra * periodHours + Math.max(extra, previous) * lingerHours
                    <= gpuHoursPerDay + 1e-9) {
                granted = extra;
                break;
            }
        }
        double charge = granted * periodHours + Math.max(0, previous - granted) * lingerHours;
        chargedTotal += charge;
        state = new State(today, chargedToday + charge, granted);
        return granted;
    }

    public State state() {
        return state;
    }

    /** GPU-hours charged today, as of the last grant. */
    public double chargedToday() {
        return state.chargedToday();
    }

    /** GPU-hours charged through this object, over every day. */
    public double chargedTotal() {
        return chargedTotal;
    }

    public double gpuHoursPerDay() {
        return gpuHoursPerDay;
    }
}
