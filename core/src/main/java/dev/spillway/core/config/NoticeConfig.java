package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How waiting requests learn that their job finished. */
@ConfigMapping(prefix = "spillway.notice")
public interface NoticeConfig {

    /** Use Redis pub/sub for completion notices; off leaves only the back-off reads of DynamoDB. */
    @WithDefault("true")
    boolean enabled();

    /** Redis channel the workers publish finished job ids on. */
    @WithDefault("spillway:jobs:finished")
    String channel();

    /** First delay of the fallback reads of the job store; it doubles up to {@link #maxReadInterval()}. */
    @WithDefault("PT0.1S")
    Duration firstReadInterval();

    /** Longest delay between two fallback reads of the job store while waiting. */
    @WithDefault("PT2S")
    Duration maxReadInterval();

    /**
     * Delay between two safety reads of the job store while notices are received: they only catch a notice lost
     * with the subscription still up, and every waiting request makes them, so they are rare.
     */
    @WithDefault("PT10S")
    Duration liveReadInterval();

    /** After a failed subscription, how long to wait before trying Redis again. */
    @WithDefault("PT5S")
    Duration resubscribeBackoff();
}
