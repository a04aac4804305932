package dev.spillway.core.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Delay before retry number {@code n} (1-based): "full jitter" exponential back-off, a random delay between zero
 * and {@code min(max, initial * 2^(n-1))}, so callers that failed together do not retry together. An upstream's
 * {@code Retry-After} is a floor: retrying sooner only earns another refusal.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;

    /** @param random values in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble} */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 <= initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.random = Objects.requireNonNull(random);
    }

    /** The exponential ceiling of retry {@code n}, before jitter. */
    public Duration ceiling(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        int doublings = Math.min(retry - 1, 30);
        long millis = initial.toMillis() << doublings;
        return millis < 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }

    public Duration delay(int retry, Optional<Duration> retryAfter) {
        Duration jittered = Duration.ofMillis((long) (ceiling(retry).toMillis() * random.getAsDouble()));
        return retryAfter.filter(floor -> floor.compareTo(jittered) > 0).orElse(jittered);
    }
}
