package dev.spillway.functions.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The system clock, which a test can move forward (a lease lapsing) without waiting. */
public class TestClock extends Clock {

    /**
     * Puts it in place of the application's clock, only where a test profile enables it (so other tests of this
     * module keep theirs).
     */
    @Alternative
    @Singleton
    public static class Producer {

        @Produces
        @Singleton
        Clock clock() {
            return new TestClock();
        }
    }

    private static volatile Duration ahead = Duration.ZERO;

    static void advance(Duration by) {
        ahead = ahead.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(ahead);
    }
}
