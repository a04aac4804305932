package dev.spillway.capacity.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.FixedSettings;
import org.junit.jupiter.api.Test;

/**
 * The forecast floor on an idle fleet whose history says a peak comes every day from 08:00 to 16:00: 120 spilled jobs
 * per 5 minutes (0.4/s), which at 1/6 job/s per task and a headroom of 1.25 needs 3 tasks; 6 per 5 minutes (1 task)
 * the rest of the day. The fixed settings keep 1 to 4 tasks; a cold start of at most 8 min and a 1-min metric lag
 * give a lead of 9 min.
 */
class PredictiveScalerTest {

    private static final int DAY_MINUTES = 1440;
    private static final int PEAK_START_MINUTE = 480;
    private static final int PEAK_END_MINUTE = 960;
    private static final double LINGER_HOURS = 0.25;

    private final CapacitySettings settings = FixedSettings.of(Map.of(CapacitySettings.MIN_TASKS, 1));

    @Test
    void floor_risesByTheLeadTimeAheadOfThePeak_andComesDownAfterIt() {
        PredictiveScaler scaler = new PredictiveScaler(settings, PrescaleOptions.defaults().withBudget(100),
                history(2, 120));

        int[] desired = idleDay(scaler, 120);

        int firstRaised = firstMinuteAbove(desired, 1);
        assertThat(firstRaised).as("raised a lead (9 min) and at most one interval more ahead of 08:00")
                .isBetween(PEAK_START_MINUTE - 9 - 5, PEAK_START_MINUTE - 9);
        assertThat(desired[firstRaised]).isEqualTo(3);
        // the interval 15:55-16:00 closes in its fifth minute, and the forecast from then on is the evening's
        assertThat(desired[PEAK_END_MINUTE - 2]).isEqualTo(3);
        assertThat(desired[PEAK_END_MINUTE - 1]).as("back to what reactive scaling wants").isEqualTo(1);
    }

    @Test
    void floor_neverExceedsMaxTasks_evenWhenTheForecastNeedsMore() {
        PredictiveScaler scaler = new PredictiveScaler(settings, PrescaleOptions.defaults().withBudget(1000),
                history(2, 100_000));

        int[] desired = idleDay(scaler, 100_000);

        assertThat(Arrays.stream(desired).max().orElseThrow()).isEqualTo(settings.maxTasks());
    }

    @Test
    void budget_capsTheTaskHoursAndLingerTheFloorAdds_everyDay() {
        double budget = 1.0;
        PredictiveScaler scaler = new PredictiveScaler(settings, PrescaleOptions.defaults().withBudget(budget),
                history(2, 120));
        List<Double> spentPerDay = new ArrayList<>();

        for (int day = 0; day < 3; day++) {
            int[] desired = idleDay(scaler, 120);
            // reactive scaling alone keeps the fleet at minTasks (1) all day: everything above it is the floor's
            double spent = 0;
            int previousExtra = 0;
            for (int extra : Arrays.stream(desired).map(count -> count - 1).toArray()) {
                spent += extra / 60.0 + Math.max(0, previousExtra - extra) * LINGER_HOURS;
                previousExtra = extra;
            }
            spentPerDay.add(spent);
            assertThat(desired[PEAK_END_MINUTE - 1]).as("budget spent long before the peak ends").isEqualTo(1);
        }

        assertThat(spentPerDay).allSatisfy(spent -> assertThat(spent).isBetween(0.5, budget));
        assertThat(scaler.chargedGpuHours()).isCloseTo(spentPerDay.stream().mapToDouble(Double::doubleValue).sum()
                + scaler.extraTasks() * LINGER_HOURS, within(1e-9));
    }

    /** Spilled arrivals per 5-minute interval over {@code days}: {@code peak} from 08:00 to 16:00, else 6. */
    private static double[] history(final int days, final int peak) {
        double[] counts = new double[days * 288];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = perInterval(i % 288, peak);
        }
        return counts;
    }

    private static int perInterval(final int interval, final int peak) {
        return interval >= PEAK_START_MINUTE / 5 && interval < PEAK_END_MINUTE / 5 ? peak : 6;
    }

    /** A day of periods with no backlog, the arrivals as the history has them; the desired count of each minute. */
    private int[] idleDay(final PredictiveScaler scaler, final int peak) {
        int[] desired = new int[DAY_MINUTES];
        int current = scaler.initialTasks();
        for (int minute = 0; minute < DAY_MINUTES; minute++) {
            // a whole interval's arrivals in its first minute: the forecast counts intervals, not minutes
            int arrivals = minute % 5 == 0 ? perInterval(minute / 5, peak) : 0;
            current = scaler.decide(new FleetMetrics(time++ * 60, current, 0, 0, 0, current, arrivals)).desired();
            desired[minute] = current;
        }
        return desired;
    }

    private double time = 1;

    private static int firstMinuteAbove(final int[] desired, final int count) {
        for (int minute = 0; minute < desired.length; minute++) {
            if (desired[minute] > count) {
                return minute;
            }
        }
        throw new AssertionError("never above " + count);
    }
}
