package dev.spillway.core.cache.warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.spillway.core.admission.Admission;
import dev.spillway.core.admission.CheckedRequest;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.cache.redis.InFlightRequests;
import dev.spillway.core.cache.redis.RedisResultStore;
import dev.spillway.core.config.CacheConfig;
import dev.spillway.core.config.ModelsConfig;
import dev.spillway.core.forecast.FleetForecasts;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.schedule.ScheduledTask;

/**
 * Re-runs each opted-in tenant's hot prompts as batch jobs of that tenant before their cache entries expire, and
 * before a forecast rise, so the next request for them (and the peak) meets a warm cache. A warm-up job is a real job (admitted, queued at batch priority, run by
 * the fleet, its answer stored under the same cache key), spent from the tenant's jobs-per-hour budget in Redis.
 * Safe when ticks overlap: an entry is warmed only by the tick that claims it in flight (a caller's job in flight
 * for it counts as warming), and the budget is spent atomically.
 */
@ApplicationScoped
public class WarmUpTask implements ScheduledTask {

    private static final Logger LOG = Logger.getLogger(WarmUpTask.class);
    /** Write the answer under its key; the key is computed even where the tenant forced caching. Never read. */
    private static final CachePolicy REFRESH = new CachePolicy(false, true, true);

    private final HotSets hotSets;
    private final WarmUpConfig config;
    private final CacheConfig cache;
    private final RedisResultStore entries;
    private final InFlightRequests inFlight;
    private final ApiKeyStore keys;
    private final RequestChecks checks;
    private final Admission admission;
    private final JobStore jobs;
    private final FleetForecasts forecasts;
    private final ModelsConfig models;
    private final Fleets fleets;

    public WarmUpTask(HotSets hotSets, WarmUpConfig config, CacheConfig cache, RedisResultStore entries,
            InFlightRequests inFlight, ApiKeyStore keys, RequestChecks checks, Admission admission, JobStore jobs,
            FleetForecasts forecasts, ModelsConfig models, Fleets fleets) {
        this.forecasts = forecasts;
        this.models = models;
        this.fleets = fleets;
        this.hotSets = hotSets;
        this.config = config;
        this.cache = cache;
        this.entries = entries;
        this.inFlight = inFlight;
        this.keys = keys;
        this.checks = checks;
        this.admission = admission;
        this.jobs = jobs;
    }

    @Override
    public String name() {
        return "warm-up";
    }

    @Override
    public void run(Instant now) {
        warm(now, horizonAt(now));
    }

    /**
     * The configured horizon, widened to the next forecast rise of any served model's fleet within the peak lead
     * (plus the horizon): entries that would expire before or early in the peak are warmed now, ahead of it. No
     * forecast (too little history, the table unreadable) leaves the horizon as configured.
     */
    public Duration horizonAt(Instant now) {
        Duration horizon = config.horizon();
        if (config.peakLead().isZero()) {
            return horizon;
        }
        Set<String> seen = new HashSet<>();
        for (String model : models.served().keySet()) {
            if (!seen.add(fleets.of(model))) {
                continue;
            }
            try {
                Optional<Instant> rise = forecasts.nextRise(model, config.peakLead(), now);
                if (rise.isPresent()) {
                    Duration widened = Duration.between(now, rise.get()).plus(config.horizon());
                    horizon = widened.compareTo(horizon) > 0 ? widened : horizon;
                }
            } catch (RuntimeException e) {
                LOG.debugf("warm-up: no forecast for %s: %s", model, e.toString());
            }
        }
        return horizon;
    }

    /**
     * Warms, for every tenant that opted in, its hot prompts whose entries are gone or expire within {@code horizon},
     * most requested first, within the tenant's budget for the clock hour of {@code now}. A wider horizon (ahead of a
     * predicted peak) refreshes entries that would otherwise expire during it.
     *
     * @return the jobs admitted
     */
    public List<Job> warm(Instant now, Duration horizon) {
        List<Job> admitted = new ArrayList<>();
        if (!config.enabled() || !cache.enabled() || !cache.l2Enabled()) {
            return admitted;
        }
        for (String tenant : hotSets.tenants(now.minus(config.idleTtl()))) {
            try {
                List<Job> warmed = warmTenant(tenant, now, horizon);
                if (!warmed.isEmpty()) {
                    LOG.infof("warm-up: %d batch jobs for tenant %s", warmed.size(), tenant);
                }
                admitted.addAll(warmed);
            } catch (RuntimeException e) {
                // one tenant's trouble (a bad body, a throttled table) must not starve the others
                LOG.warnf("warm-up of tenant %s skipped: %s", tenant, e.toString());
            }
        }
        return admitted;
    }

    private List<Job> warmTenant(String tenant, Instant now, Duration horizon) {
        int budget = keys.list(tenant).stream().filter(key -> !key.isRevoked() && key.warmUp().enabled())
                .mapToInt(key -> key.warmUp().jobsPerHour()).max().orElse(0);
        if (budget == 0) {
            // no key of the tenant opts in any more: keep nothing of its requests
            hotSets.forget(tenant);
            return List.of();
        }
        long decayPeriod = Math.max(1, config.decayEvery().toSeconds());
        hotSets.decay(tenant, now.getEpochSecond() / decayPeriod, decayPeriod);
        long hour = now.getEpochSecond() / 3600;
        List<Job> admitted = new ArrayList<>();
        if (hotSets.spent(tenant, hour) >= budget) {
            return admitted;
        }
        for (HotPrompt prompt : hotSets.top(tenant)) {
            if (!expiresWithin(prompt.cacheKey(), horizon)) {
                continue;
            }
            Optional<String> holder = inFlight.holder(prompt.cacheKey());
            if (holder.isPresent() && stillRunning(holder.get())) {
                continue; // already warming, or a caller's job will refresh it
            }
            Optional<CheckedRequest> checked = recheck(tenant, prompt);
            if (checked.isEmpty()) {
                continue;
            }
            Job job = admission.newJob(checked.get());
            Optional<String> first = holder.isPresent()
                    ? inFlight.takeOver(prompt.cacheKey(), holder.get(), job.id(), cache.inflightTtl())
                    : inFlight.claim(prompt.cacheKey(), job.id(), cache.inflightTtl());
            if (first.isPresent()) {
                continue; // another tick, or a caller, got there first
            }
            if (!hotSets.spend(tenant, hour, budget)) {
                inFlight.release(prompt.cacheKey(), job.id());
                break;
            }
            try {
                admitted.add(admission.admit(checked.get(), job).job());
            } catch (RuntimeException e) {
                inFlight.release(prompt.cacheKey(), job.id());
                hotSets.refund(tenant, hour);
                throw e;
            }
        }
        return admitted;
    }

    /** Whether the job a key's claim names may still answer (its claim outlives it by up to the in-flight TTL). */
    private boolean stillRunning(String jobId) {
        return jobs.find(jobId).map(job -> !job.status().isFinal()).orElse(true);
    }

    private boolean expiresWithin(String cacheKey, Duration horizon) {
        Optional<Duration> left = entries.timeToLive(cache.l2KeyPrefix() + cacheKey);
        return left.isPresent() && left.get().compareTo(horizon) <= 0;
    }

    /**
     * The kept body checked again as a batch request of the tenant (with no key: a warm-up spends no rate limit). A
     * body that no longer passes (a model withdrawn) or no longer makes the same key (settings changed) is skipped.
     */
    private Optional<CheckedRequest> recheck(String tenant, HotPrompt prompt) {
        Optional<String> body = hotSets.body(tenant, prompt.cacheKey());
        if (body.isEmpty()) {
            return Optional.empty();
        }
        try {
            CheckedRequest checked = checks.check(IntakeRequest.noWait(new Caller(tenant, Tier.BATCH, null),
                    body.get().getBytes(StandardCharsets.UTF_8), REFRESH, Tier.BATCH, null));
            return prompt.cacheKey().equals(checked.writeKey()) ? Optional.of(checked) : Optional.empty();
        } catch (RuntimeException e) {
            LOG.debugf("hot prompt of tenant %s no longer admissible: %s", tenant, e.toString());
            return Optional.empty();
        }
    }
}
