package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Live token streams of spilled jobs: what the worker writes per job and how the intake relays it. */
@ConfigMapping(prefix = "spillway.streams")
public interface StreamsConfig {

    /** Redis key prefix of a job's stream; the job id follows it. */
    @WithDefault("spillway:stream:")
    String keyPrefix();

    /**
     * Most entries one job's stream holds (its Redis {@code MAXLEN}). A worker that would write more ends the attempt's
     * stream with a {@code stream_too_long} error entry instead, so a reader never meets a trimmed gap.
     */
    @WithDefault("16384")
    int maxEntries();

    /** How long a job's stream is kept after its last entry: the window in which a dropped client can resume. */
    @WithDefault("PT1H")
    Duration ttl();

    /** Interval of the SSE comments a waiting stream sends so proxies keep an idle connection open. */
    @WithDefault("PT15S")
    Duration keepAlive();

    /**
     * How long the intake's one stream reader blocks in {@code XREAD} before asking again; a new follower wakes it
     * at once ({@code CLIENT UNBLOCK}), so this only bounds how often an idle reader talks to Redis.
     */
    @WithDefault("PT2S")
    Duration readBlock();
}
