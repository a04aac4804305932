package dev.spillway.core.fault;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.spillway.core.upstream.Backoff;

/**
 * The back-off of loops a {@code Guard} cannot run, because each round sends only what is left (DynamoDB's
 * unprocessed items, SQS entries that failed on SQS's side), records every attempt (webhooks), or waits for work
 * rather than retrying a failure (idle pollers): {@link Backoff}'s exponential ceilings, the first delay doubled per
 * round up to the cap, with full jitter for retries. One policy per loop, named where the loop is.
 */
public final class RetryBackoff {

    private final Backoff backoff;

    /** @param first delay before the first retry; later ones double up to {@code max} */
    public RetryBackoff(Duration first, Duration max) {
        this.backoff = new Backoff(first, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay before retry {@code retry} (from 1) without jitter: the first, doubled per retry, capped. */
    public Duration ceiling(int retry) {
        return backoff.ceiling(retry);
    }

    /** A random delay up to {@link #ceiling}, so callers that failed together do not retry together. */
    public Duration delay(int retry) {
        return backoff.delay(retry, Optional.empty());
    }

    /** Sleeps {@link #delay} before retry {@code retry}; false when interrupted, with the interrupt flag kept. */
    public boolean pause(int retry) {
        try {
            Thread.sleep(delay(retry).toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
