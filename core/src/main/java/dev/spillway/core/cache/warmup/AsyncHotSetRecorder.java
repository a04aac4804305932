package dev.spillway.core.cache.warmup;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.admission.CheckedRequest;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.config.CacheConfig;

/**
 * Records on one thread of its own, off the request's path: the request only offers its cache key and body to a
 * bounded queue. When the queue is full or Redis fails the count is lost, never the request: a hot set is an
 * estimate. Only cacheable requests whose answer is stored (a warm-up refreshes what the cache keeps) of keys that
 * opted in, with a body within {@code max-body-bytes}.
 */
@ApplicationScoped
public class AsyncHotSetRecorder implements HotSetRecorder {

    private static final Logger LOG = Logger.getLogger(AsyncHotSetRecorder.class);

    private final HotSets hotSets;
    private final WarmUpConfig config;
    private final CacheConfig cache;
    private final Clock clock;
    private final ThreadPoolExecutor recorder;

    public AsyncHotSetRecorder(HotSets hotSets, WarmUpConfig config, CacheConfig cache, Clock clock) {
        this.hotSets = hotSets;
        this.config = config;
        this.cache = cache;
        this.clock = clock;
        this.recorder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, config.recordQueue())), runnable -> {
                    Thread thread = new Thread(runnable, "spillway-hot-set");
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.DiscardPolicy());
    }

    @Override
    public void record(CheckedRequest checked) {
        try {
            ApiKey key = checked.caller().key();
            byte[] body = checked.source().body();
            if (!config.enabled() || !cache.l2Enabled() || key == null || !key.warmUp().enabled()
                    || checked.writeKey() == null || body == null || body.length > config.maxBodyBytes()) {
                return;
            }
            String tenant = checked.caller().tenant();
            String cacheKey = checked.writeKey();
            recorder.execute(() -> {
                try {
                    hotSets.record(tenant, cacheKey, new String(body, StandardCharsets.UTF_8), clock.instant());
                } catch (RuntimeException e) {
                    LOG.debugf("hot set not recorded: %s", e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("hot set not recorded: %s", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        recorder.shutdownNow();
    }
}
