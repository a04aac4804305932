package dev.spillway.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.redis.RedisRateBuckets.Amounts;

/** An instance's lease of a key's buckets: spent locally while valid, and what is left handed back exactly once. */
class RateLimiterLeaseTest {

    private static final Amounts ONE_REQUEST = new Amounts(1, 100);

    @Test
    void spend_withinAValidLease_takesFromIt() {
        // GIVEN a lease of 3 requests and 250 tokens until t=1000
        RateLimiter.Lease lease = new RateLimiter.Lease();
        lease.add(3, 250, 1000);

        // WHEN / THEN two requests of 100 tokens fit, a third does not: its tokens ran out first
        assertThat(lease.spend(ONE_REQUEST, 10)).isTrue();
        assertThat(lease.spend(ONE_REQUEST, 20)).isTrue();
        assertThat(lease.spend(ONE_REQUEST, 30)).isFalse();
        assertThat(lease.takeLeftover()).isEqualTo(new Amounts(1, 50));
    }

    @Test
    void spend_afterTheLeaseExpired_isRefusedAndTheLeftoverIsHandedBackOnce() {
        // GIVEN
        RateLimiter.Lease lease = new RateLimiter.Lease();
        lease.add(10, 1000, 1000);

        // WHEN the lease's time is up
        boolean spent = lease.spend(ONE_REQUEST, 1000);

        // THEN nothing is spent, the whole lease goes back, and a second caller finds nothing to hand back
        assertThat(spent).isFalse();
        assertThat(lease.takeLeftover()).isEqualTo(new Amounts(10, 1000));
        assertThat(lease.takeLeftover()).isEqualTo(new Amounts(0, 0));
    }

    @Test
    void spend_onANewLease_isRefused() {
        assertThat(new RateLimiter.Lease().spend(new Amounts(1, 0), 0)).isFalse();
    }
}
