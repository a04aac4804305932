package dev.spillway.capacity.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;

/** Synthetic series whose next values are known, with a season of one day in 5-minute intervals. */
class HoltWintersTest {

    private static final int DAY = 288;

    /** The daily profile's shape: a cosine peaking at 14:00, 60 arrivals per interval on average. */
    private static double season(final int interval) {
        return 60 * 0.8 * Math.cos(2 * Math.PI * ((interval % DAY) / 12.0 - 14) / 24);
    }

    @Test
    void pureSeason_isForecastExactly_aDayAhead() {
        HoltWinters forecaster = feed(HoltWinters.withDefaults(DAY), 3 * DAY, i -> 60 + season(i));

        for (int ahead = 1; ahead <= DAY; ahead++) {
            assertThat(forecaster.forecast(ahead)).as("%d intervals ahead", ahead)
                    .isCloseTo(60 + season(3 * DAY - 1 + ahead), offset(1e-9));
        }
    }

    @Test
    void linearTrendPlusSeason_isForecastWithinAHundredthOfAnArrival_afterThreeSeasons() {
        IntToDoubleFunction series = i -> 40 + 0.05 * i + season(i);
        HoltWinters forecaster = feed(HoltWinters.withDefaults(DAY), 3 * DAY, series);

        for (int ahead = 1; ahead <= 2 * DAY; ahead++) {
            assertThat(forecaster.forecast(ahead)).as("%d intervals ahead", ahead)
                    .isCloseTo(series.applyAsDouble(3 * DAY - 1 + ahead), offset(0.01));
        }
    }

    @Test
    void levelShift_isFollowedToWithinATenthOfIt_withinSixIntervals() {
        int shiftAt = 3 * DAY + 100;
        IntToDoubleFunction series = i -> 60 + season(i) + (i >= shiftAt ? 40 : 0);
        HoltWinters forecaster = feed(HoltWinters.withDefaults(DAY), shiftAt, series);
        assertThat(forecaster.forecast(1)).isCloseTo(60 + season(shiftAt), offset(1e-9));

        for (int i = shiftAt; i < shiftAt + 6; i++) {
            forecaster.observe(series.applyAsDouble(i));
        }

        assertThat(forecaster.forecast(1)).as("the next interval after six at the new level")
                .isCloseTo(series.applyAsDouble(shiftAt + 6), offset(4.0));
    }

    @Test
    void forecast_beforeTwoSeasons_isRefused() {
        HoltWinters forecaster = feed(HoltWinters.withDefaults(4), 7, i -> i);

        assertThat(forecaster.ready()).isFalse();
        assertThatThrownBy(() -> forecaster.forecast(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("a forecast needs two seasons (8 intervals) observed, got 7");
        forecaster.observe(7);
        assertThat(forecaster.ready()).isTrue();
    }

    private static HoltWinters feed(final HoltWinters forecaster, final int count, final IntToDoubleFunction series) {
        for (int i = 0; i < count; i++) {
            forecaster.observe(series.applyAsDouble(i));
        }
        return forecaster;
    }
}
