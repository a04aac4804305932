package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The exact-match result cache: L1 in-process, L2 Redis. */
@ConfigMapping(prefix = "spillway.cache")
public interface CacheConfig {

    /** Turns the whole cache off; every request then becomes a job. */
    @WithDefault("true")
    boolean enabled();

    /** Most entries kept in the in-process cache of each instance. */
    @WithDefault("10000")
    long l1MaxEntries();

    /** How long an entry stays in the in-process cache. */
    @WithDefault("PT10M")
    Duration l1Ttl();

    /** Whether Redis is used as the shared second level; off runs with L1 only. */
    @WithDefault("true")
    boolean l2Enabled();

    /** How long an entry stays in Redis. */
    @WithDefault("PT24H")
    Duration l2Ttl();

    /**
     * Attach identical cacheable requests to the job already running for them: within one instance always, across
     * instances through Redis.
     */
    @WithDefault("true")
    boolean coalesce();

    /**
     * How long a request that found an identical one being admitted waits for that job to be stored before it
     * takes over (the first one failed or died). Covers the job store's and the queue's guarded writes.
     */
    @WithDefault("PT5S")
    Duration coalesceAdmissionWait();

    /** How long a running job stays the one identical requests attach to. */
    @WithDefault("PT10M")
    Duration inflightTtl();

    /** Prefix of the Redis keys, so several deployments can share one Redis. */
    @WithDefault("spillway:cache:")
    String l2KeyPrefix();
}
