package dev.spillway.backend.batching;

import java.time.Duration;

/**
 * Bounds and reflexes of an {@link AdaptiveConcurrencyLimit}; see {@link BatchingConfig.Adaptive} for each one.
 */
public record AdaptiveLimitSettings(int min, int initial, int max, double kvCacheHighWater, double latencyTolerance,
        double backoffRatio, Duration decreaseCooldown) {

    public AdaptiveLimitSettings {
        if (min < 1 || max < min || initial < min || initial > max) {
            throw new IllegalArgumentException("need 1 <= min <= initial <= max: " + min + ", " + initial + ", " + max);
        }
        if (kvCacheHighWater <= 0 || kvCacheHighWater > 1 || latencyTolerance <= 1 || backoffRatio <= 0
                || backoffRatio >= 1 || decreaseCooldown == null || decreaseCooldown.isNegative()) {
            throw new IllegalArgumentException("need 0 < kvCacheHighWater <= 1, latencyTolerance > 1, "
                    + "0 < backoffRatio < 1 and decreaseCooldown >= 0");
        }
    }

    public static AdaptiveLimitSettings of(BatchingConfig.Adaptive config) {
        return new AdaptiveLimitSettings(config.min(), config.initial(), config.max(), config.kvCacheHighWater(),
                config.latencyTolerance(), config.backoffRatio(), config.decreaseCooldown());
    }
}
