package dev.spillway.intake.direct;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.Backoff;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamCompletion;
import dev.spillway.core.upstream.UpstreamException;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One upstream API the intake calls directly, behind its own named fault-tolerance policy: a bulkhead sized to the
 * target's concurrency limit, a timeout, a circuit breaker, and retries of transient failures with jittered
 * exponential back-off that honours {@code Retry-After}, all within the caller's wait budget.
 */
final class UpstreamTarget {

    /** An attempt with less time than this left is not worth starting: it would only time out. */
    private static final Duration SHORTEST_ATTEMPT = Duration.ofMillis(100);
    /** The guard's timeout is a backstop behind the HTTP client's own, which fires first with a clearer error. */
    private static final Duration TIMEOUT_BACKSTOP = Duration.ofSeconds(1);

    private final String name;
    private final UpstreamsConfig.Upstream config;
    private final OpenAiCompatibleClient client;
    private final Guard guard;
    private final SpillwayMetrics metrics;
    private final Clock clock;

    UpstreamTarget(String name, UpstreamsConfig.Upstream config, SpillwayMetrics metrics, Clock clock) {
        this.name = name;
        this.config = config;
        this.client = new OpenAiCompatibleClient(config.baseUrl(), config.apiKey(), config.model(),
                config.connectTimeout(), clock);
        this.metrics = metrics;
        this.clock = clock;
        Backoff backoff = new Backoff(config.retryDelay(), config.maxRetryDelay(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.guard = Guard.create()
                .withDescription("upstream-" + name)
                .withRetry()
                .maxRetries(config.maxRetries())
                .jitter(0, ChronoUnit.MILLIS) // the back-off strategy jitters itself
                .maxDuration(1, ChronoUnit.HOURS) // the wait budget bounds retries, checked before every attempt
                .whenException(UpstreamTarget::worthRetrying)
                .withCustomBackoff().strategy(() -> new RetryAfterBackoff(backoff)).done()
                .done()
                .withCircuitBreaker()
                .name("upstream-" + name)
                .requestVolumeThreshold(config.breakerWindow())
                .failureRatio(config.breakerFailureRatio())
                .delay(config.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .when(UpstreamTarget::isTargetTrouble)
                .done()
                .withTimeout().duration(config.timeout().plus(TIMEOUT_BACKSTOP).toMillis(), ChronoUnit.MILLIS).done()
                .withBulkhead().limit(config.maxConcurrency()).done()
                .build();
    }

    String name() {
        return name;
    }

    /**
     * One completion from this target, retried as its policy allows until {@code deadline}.
     *
     * @throws Exception the last failure: an {@link UpstreamException}, or the policy's refusal (bulkhead full,
     *         breaker open, budget spent)
     */
    UpstreamCompletion complete(ChatCompletionRequest request, Instant deadline) throws Exception {
        try {
            return guard.call(() -> attempt(request, deadline), UpstreamCompletion.class);
        } catch (BulkheadException e) {
            metrics.upstreamCall(name, "bulkhead_full");
            throw e;
        } catch (CircuitBreakerOpenException e) {
            metrics.upstreamCall(name, "breaker_open");
            throw e;
        } catch (WaitBudgetSpent | TimeoutException e) {
            metrics.upstreamCall(name, "budget_spent");
            throw e;
        }
    }

    private UpstreamCompletion attempt(ChatCompletionRequest request, Instant deadline) throws UpstreamException {
        Duration remaining = Duration.between(clock.instant(), deadline);
        if (remaining.compareTo(SHORTEST_ATTEMPT) < 0) {
            throw new WaitBudgetSpent("no wait budget left for another attempt at " + name, null);
        }
        Duration timeout = remaining.compareTo(config.timeout()) < 0 ? remaining : config.timeout();
        try {
            UpstreamCompletion completion = client.complete(request, timeout);
            metrics.upstreamCall(name, "succeeded");
            return completion;
        } catch (UpstreamException e) {
            metrics.upstreamCall(name, e.code().startsWith("upstream_") ? e.code().substring(9) : "rejected");
            Optional<Duration> retryAfter = e.retryAfter();
            if (e.retryable() && retryAfter.isPresent()
                    && clock.instant().plus(retryAfter.get()).plus(SHORTEST_ATTEMPT).isAfter(deadline)) {
                // Honouring Retry-After would outlast the client's wait: spill now rather than at the deadline.
                throw new WaitBudgetSpent(name + " asked to wait " + retryAfter.get() + ", past the wait budget", e);
            }
            throw e;
        }
    }

    /** Transient upstream trouble is retried; the policy's own refusals and permanent rejections are not. */
    static boolean worthRetrying(Throwable failure) {
        return failure instanceof UpstreamException e && e.retryable();
    }

    /** What counts against the breaker: the target misbehaving, not the client's request or our own limits. */
    static boolean isTargetTrouble(Throwable failure) {
        if (failure instanceof UpstreamException e) {
            return e.retryable() || e.code().equals("upstream_auth_failed");
        }
        if (failure instanceof WaitBudgetSpent spent) {
            return spent.getCause() != null;
        }
        return failure instanceof TimeoutException;
    }

    /** Adapts {@link Backoff} to the retry policy: one instance per guarded call, counting its retries. */
    private static final class RetryAfterBackoff implements CustomBackoffStrategy {

        private final Backoff backoff;
        private int retries;

        RetryAfterBackoff(Backoff backoff) {
            this.backoff = backoff;
        }

        @Override
        public long nextDelayInMillis(Throwable cause) {
            retries++;
            Optional<Duration> retryAfter = cause instanceof UpstreamException e ? e.retryAfter() : Optional.empty();
            return backoff.delay(retries, retryAfter).toMillis();
        }
    }
}
