package dev.spillway.capacity.policy;

import java.util.Locale;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;

/**
 * {@code predictive}: what the CDK app deploys ({@link ScalingPolicies#WEIGHTED}) plus a floor raised ahead of the
 * rises a forecast of each fleet's spilled arrivals predicts ({@link PredictiveScaler}). A fleet without history
 * learns from what it sees and raises no floor until it has observed two seasons.
 */
public final class PredictiveScaling implements ScalingPolicy {

    private final PrescaleOptions options;
    private final Map<String, double[]> historyByModel;

    /**
     * @param historyByModel earlier seasons' spilled arrivals per interval of each model, oldest first, the last
     *                       interval ending where the plan starts
     */
    public PredictiveScaling(final PrescaleOptions options, final Map<String, double[]> historyByModel) {
        this.options = options;
        this.historyByModel = Map.copyOf(historyByModel);
    }

    public PrescaleOptions options() {
        return options;
    }

    /** Seasons of history the fleet of {@code model} starts with. */
    public double seasonsOfHistory(final String model) {
        return historyByModel.getOrDefault(model, new double[0]).length / (double) options.seasonIntervals();
    }

    /** What the forecasts start from, for the report. */
    public String describeHistory() {
        if (historyByModel.isEmpty()) {
            return "no history: each fleet learns from the plan itself and raises no floor before two seasons";
        }
        StringBuilder text = new StringBuilder("history");
        historyByModel.forEach((model, series) -> text.append(String.format(Locale.ROOT,
                " %s %.0f seasons of %d intervals", model, seasonsOfHistory(model), options.seasonIntervals())));
        return text.toString();
    }

    @Override
    public String name() {
        return "predictive";
    }

    @Override
    public String summary() {
        return "weighted + a floor raised ahead of forecast rises by a cold start's lead, within "
                + options.gpuHoursPerDay() + " GPU-hours a day";
    }

    @Override
    public FleetScaler newScaler(final CapacitySettings settings) {
        return new PredictiveScaler(settings, options, new double[0]);
    }

    @Override
    public FleetScaler newScaler(final CapacitySettings settings, final String model) {
        return new PredictiveScaler(settings, options, historyByModel.getOrDefault(model, new double[0]));
    }

    @Override
    public String toString() {
        return name();
    }
}
