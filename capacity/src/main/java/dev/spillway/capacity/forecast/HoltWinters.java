package dev.spillway.capacity.forecast;

/**
 * Additive Holt-Winters (triple exponential smoothing) over a series of equal intervals, e.g. arrivals per 5 minutes
 * of one model and tier with a season of one day (288 intervals).
 *
 * <p>Why this method: load that follows the clock is a level, a slow trend and a repeating daily shape, and
 * Holt-Winters forecasts exactly that, with three numbers a reader can check by hand: after each observation
 * {@code y} at season slot {@code i},
 * <pre>
 *   level  = alpha (y - season[i]) + (1 - alpha)(level + trend)
 *   trend  = beta (level - previous level) + (1 - beta) trend
 *   season[i] = gamma (y - level) + (1 - gamma) season[i]
 *   forecast(h) = level + h trend + season[slot h ahead]
 * </pre>
 * Seasonal naive (this slot yesterday) is simpler but follows a level shift only a whole season later and carries
 * yesterday's noise unsmoothed; ARIMA-type models fit better but cannot be checked on paper. The first two seasons
 * initialise it: the trend is the change of the seasons' means per interval, the level is the first season's mean
 * carried to its last interval along that trend, each slot's seasonal part is the first season's value less that
 * trend line. A series that is a pure season, or a straight line plus a season, is thus forecast exactly from the
 * third season on. Plain Java, no state but arrays: the scheduler can rebuild it from stored intervals.
 */
public final class HoltWinters {

    /** Smoothing the planner uses: a level shift is followed within a few intervals, a season within a few days. */
    public static final double DEFAULT_ALPHA = 0.5;
    public static final double DEFAULT_BETA = 0.02;
    public static final double DEFAULT_GAMMA = 0.2;

    private final int seasonLength;
    private final double alpha;
    private final double beta;
    private final double gamma;
    private final double[] warmUp;
    private final double[] season;
    private long observed;
    private double level;
    private double trend;

    /**
     * @param seasonLength intervals per season, at least 2
     * @param alpha        level smoothing, in (0, 1]
     * @param beta         trend smoothing, in [0, 1]
     * @param gamma        season smoothing, in [0, 1]
     */
    public HoltWinters(final int seasonLength, final double alpha, final double beta, final double gamma) {
        if (seasonLength < 2) {
            throw new IllegalArgumentException("a season has at least 2 intervals, got " + seasonLength);
        }
        if (!(alpha > 0 && alpha <= 1) || !(beta >= 0 && beta <= 1) || !(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("smoothing factors are within [0, 1] (alpha above 0), got "
                    + alpha + ", " + beta + ", " + gamma);
        }
        this.seasonLength = seasonLength;
        this.alpha = alpha;
        this.beta = beta;
        this.gamma = gamma;
        this.warmUp = new double[2 * seasonLength];
        this.season = new double[seasonLength];
    }

    /** With the {@code DEFAULT_} smoothing factors. */
    public static HoltWinters withDefaults(final int seasonLength) {
        return new HoltWinters(seasonLength, DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_GAMMA);
    }

    public int seasonLength() {
        return seasonLength;
    }

    /** Intervals observed so far. */
    public long observed() {
        return observed;
    }

    /** True once two seasons are observed: before that {@link #forecast} has nothing to say. */
    public boolean ready() {
        return observed >= 2L * seasonLength;
    }

    /** Adds the next interval's value. */
    public void observe(final double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("an observation is a finite number, got " + value);
        }
        if (observed < warmUp.length) {
            warmUp[(int) observed++] = value;
            if (observed == warmUp.length) {
                initialise();
            }
            return;
        }
        update(value);
    }

    private void update(final double value) {
        int slot = (int) (observed % seasonLength);
        double previousLevel = level;
        level = alpha * (value - season[slot]) + (1 - alpha) * (level + trend);
        trend = beta * (level - previousLevel) + (1 - beta) * trend;
        season[slot] = gamma * (value - level) + (1 - gamma) * season[slot];
        observed++;
    }

    /**
     * The value expected {@code stepsAhead} intervals after the last observed one (1: the next interval).
     *
     * @throws IllegalStateException before two seasons are observed
     */
    public double forecast(final int stepsAhead) {
        if (!ready()) {
            throw new IllegalStateException("a forecast needs two seasons (" + 2 * seasonLength
                    + " intervals) observed, got " + observed);
        }
        if (stepsAhead < 1) {
            throw new IllegalArgumentException("forecasts start one interval ahead, got " + stepsAhead);
        }
        int slot = (int) ((observed - 1 + stepsAhead) % seasonLength);
        return level + stepsAhead * trend + season[slot];
    }

    /** The classical start from two seasons, then the second season run through the updates. */
    private void initialise() {
        double firstMean = mean(0);
        double secondMean = mean(seasonLength);
        trend = (secondMean - firstMean) / seasonLength;
        double centre = (seasonLength - 1) / 2.0;
        for (int i = 0; i < seasonLength; i++) {
            season[i] = warmUp[i] - (firstMean + trend * (i - centre));
        }
        level = firstMean + trend * (seasonLength - 1 - centre);
        observed = seasonLength;
        for (int i = seasonLength; i < warmUp.length; i++) {
            update(warmUp[i]);
        }
    }

    private double mean(final int from) {
        double sum = 0;
        for (int i = from; i < from + seasonLength; i++) {
            sum += warmUp[i];
        }
        return sum / seasonLength;
    }
}
