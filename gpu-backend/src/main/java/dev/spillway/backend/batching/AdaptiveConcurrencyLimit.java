package dev.spillway.backend.batching;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.spillway.core.upstream.UpstreamException;

/**
 * The in-flight limit for a server that batches on its own (vLLM, SGLang, TGI, or an upstream API): enough requests
 * to keep its continuous batching full, not so many that they queue inside it or get refused.
 *
 * <p>While the server reports its load ({@link #onServerLoad}, from {@link VllmMetricsProbe}) that report steers:
 * nothing waiting and the KV cache below the high-water mark grows the limit; waiting requests or a nearly full KV
 * cache shrink it. Without such reports it is latency-based AIMD: each completion is compared with the usual
 * latency of completions of about its length ({@link LatencyBaselines}); while the median of the last few such
 * ratios stays within the tolerance, each completion adds 1/limit (one step per limit's worth of completions), and
 * when it does not, that is congestion. A median, so one slow answer on a noisy network is not a signal; by length,
 * so short answers (mostly time to first token) are not mistaken for slow long ones. Either way a 429, 503 or
 * timeout is congestion, and congestion multiplies the limit by the backoff ratio, at most once per cooldown so that
 * one burst of refusals is one signal.
 */
public final class AdaptiveConcurrencyLimit implements EngineCapacity {

    private static final Logger LOG = Logger.getLogger(AdaptiveConcurrencyLimit.class);
    /** The engine's codes for "the server is overloaded", as opposed to a bad request or a broken server. */
    private static final Set<String> CONGESTION_CODES = Set.of("upstream_rate_limited", "upstream_overloaded",
            "upstream_timeout");
    /** Growth per load report while the server is idle: a quarter of the limit, at least one request. */
    private static final double GROWTH_PER_REPORT = 0.25;

    private final String name;
    private final AdaptiveLimitSettings settings;
    private final Clock clock;

    private double limit;
    private boolean serverReportsLoad;
    private final LatencyBaselines baselines = new LatencyBaselines();
    private Instant lastDecrease = Instant.MIN;
    private VllmMetricsProbe probe;

    public AdaptiveConcurrencyLimit(String name, AdaptiveLimitSettings settings, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.clock = clock;
        this.limit = settings.initial();
    }

    /** Steers the limit by the server's own metrics page from now on, read every {@code interval} while answered. */
    public synchronized AdaptiveConcurrencyLimit followMetricsAt(URI metricsUri, Duration interval) {
        if (probe == null) {
            probe = new VllmMetricsProbe(metricsUri, interval, this).start();
        }
        return this;
    }

    @Override
    public synchronized int limit() {
        return (int) Math.floor(limit);
    }

    /** Whether the limit currently follows the server's own load reports rather than latency. */
    public synchronized boolean followsServerLoad() {
        return serverReportsLoad;
    }

    /** The server's current load, read from its metrics. */
    public synchronized void onServerLoad(ServerLoad load) {
        if (!serverReportsLoad) {
            LOG.infof("%s reports its load: the in-flight limit now follows its metrics", name);
        }
        serverReportsLoad = true;
        if (load.waiting() > 0) {
            decrease(load.waiting() + " requests waiting in the server");
        } else if (load.kvCacheUsage() >= settings.kvCacheHighWater()) {
            decrease("KV cache " + Math.round(load.kvCacheUsage() * 100) + "% full");
        } else {
            limit = Math.min(settings.max(), limit + Math.max(1, limit * GROWTH_PER_REPORT));
        }
    }

    /** The server stopped answering its metrics (or never did): back to latency-based control. */
    public synchronized void onServerLoadUnavailable() {
        if (serverReportsLoad) {
            LOG.infof("%s no longer reports its load: the in-flight limit follows latency", name);
        }
        serverReportsLoad = false;
    }

    @Override
    public synchronized void onCallFinished(Duration latency, int completionTokens, UpstreamException failure) {
        if (failure != null) {
            if (CONGESTION_CODES.contains(failure.code())) {
                decrease(failure.code());
            }
            return;
        }
        baselines.record(latency, completionTokens);
        if (serverReportsLoad) {
            return; // the server's own report is the better signal
        }
        double slowdown = baselines.recentSlowdown();
        if (slowdown > settings.latencyTolerance()) {
            String reason = "latency " + Math.round(slowdown * 10) / 10.0
                    + "x the usual for their length, median of the last five";
            if (decrease(reason)) {
                baselines.forgetRecent(); // judge the new limit by completions that ran under it
            }
        } else {
            limit = Math.min(settings.max(), limit + 1 / limit);
        }
    }

    /** @return whether the limit was cut (not within the cooldown of the previous cut) */
    private boolean decrease(String reason) {
        Instant now = clock.instant();
        if (now.isBefore(lastDecrease.plus(settings.decreaseCooldown()))) {
            return false;
        }
        lastDecrease = now;
        double before = limit;
        limit = Math.max(settings.min(), limit * settings.backoffRatio());
        LOG.debugf("%s in-flight limit %d -> %d: %s", name, (int) before, (int) limit, reason);
        return true;
    }

    @Override
    public synchronized void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
