package dev.spillway.core.forecast;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Recording each fleet's arrivals per interval and forecasting them (docs/capacity.md, "Predictive capacity"). */
@ConfigMapping(prefix = "spillway.forecast")
public interface ForecastConfig {

    /** Count admitted jobs per fleet and tier, record the counts, and publish each fleet's forecast. */
    @WithDefault("true")
    boolean enabled();

    /** DynamoDB table of the recorded intervals (and each fleet's pre-scaling budget). */
    @WithDefault("spillway-arrivals")
    String table();

    /** Length of one counted interval, whole minutes; the forecast's step. */
    @WithDefault("PT5M")
    Duration interval();

    /** The forecast's season, a whole number of intervals: load that follows the clock repeats daily. */
    @WithDefault("P1D")
    Duration season();

    /** How much recorded history a forecast reads; at least two seasons, or there is no forecast. */
    @WithDefault("P7D")
    Duration history();

    /** How far ahead the forecast is published. */
    @WithDefault("PT6H")
    Duration horizon();

    /**
     * How long after an interval ends it is recorded: an admission that started just before the end may still be
     * counting, and the intake's clocks differ a little.
     */
    @WithDefault("PT30S")
    Duration settle();

    /** How far back a tick still records intervals missed (scheduler or Redis down); counts older than this are gone. */
    @WithDefault("PT1H")
    Duration catchUp();

    /** How long a recorded interval is kept (DynamoDB TTL). */
    @WithDefault("P35D")
    Duration retention();
}
