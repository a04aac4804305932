package dev.spillway.intake.direct;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import dev.spillway.core.api.RequestKind;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.Backoff;
import dev.spillway.core.upstream.OpenAiCompatibleClient;
import dev.spillway.core.upstream.UpstreamException;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * One upstream API the intake calls directly, behind its own named fault-tolerance policy: a bulkhead sized to the
 * target's concurrency limit, a circuit breaker, and retries of transient failures with jittered exponential back-off
 * that honours {@code Retry-After}, all within the caller's wait budget. Nothing here blocks a thread: the call, the
 * retries' back-off and the per-attempt timeout (the client's own whole-call timer) are all asynchronous.
 */
final class UpstreamTarget implements AutoCloseable {

    /** An attempt with less time than this left is not worth starting: it would only time out. */
    private static final Duration SHORTEST_ATTEMPT = Duration.ofMillis(100);
    private static final TypeLiteral<CompletionStage<byte[]>> ANSWER = new TypeLiteral<>() {
    };
    private static final TypeLiteral<CompletionStage<Multi<Buffer>>> STREAM = new TypeLiteral<>() {
    };

    private final String name;
    private final UpstreamsConfig.Upstream config;
    private final OpenAiCompatibleClient client;
    /** The bulkhead: a slot per attempt in flight, refused at once when none is free (the request spills). */
    private final Semaphore slots;
    private final Guard guard;
    private final SpillwayMetrics metrics;
    private final Clock clock;
    private final Set<RequestKind> endpoints = EnumSet.noneOf(RequestKind.class);

    UpstreamTarget(String name, UpstreamsConfig.Upstream config, Vertx vertx, SpillwayMetrics metrics, Clock clock) {
        this.name = name;
        this.config = config;
        // A misspelt endpoint fails startup rather than silently sending its requests to the queue.
        config.endpoints().forEach(path -> endpoints.add(RequestKind.ofUpstreamPath(path).orElseThrow(
                () -> new IllegalStateException("spillway.upstreams." + name + ".endpoints lists '" + path
                        + "'; known: chat/completions, completions, embeddings"))));
        this.client = new OpenAiCompatibleClient(vertx, config.baseUrl(), config.apiKey(), config.model(),
                config.connectTimeout(), config.maxConcurrency(), clock);
        this.slots = new Semaphore(config.maxConcurrency());
        this.metrics = metrics;
        this.clock = clock;
        Backoff backoff = new Backoff(config.retryDelay(), config.maxRetryDelay(),
                () -> ThreadLocalRandom.current().nextDouble());
        // SmallRye's asynchronous bulkhead queues calls instead of refusing them, so the bulkhead is the semaphore
        // above, taken inside the guard like SmallRye's own: per attempt, never held during a back-off.
        // No description: SmallRye then records no ft.* metrics for this guard, which would cost registry lookups per
        // call; spillway.upstream.calls counts every attempt's outcome instead.
        this.guard = Guard.create()
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
                // the call never blocks: handing it to another thread would only add a thread switch
                .withThreadOffload(false)
                .build();
    }

    String name() {
        return name;
    }

    /** Whether this target serves requests of {@code kind} ({@code spillway.upstreams.<name>.endpoints}). */
    boolean serves(RequestKind kind) {
        return endpoints.contains(kind);
    }

    /**
     * Forwards a client's body to this target, retried as its policy allows until {@code deadline}.
     *
     * @return the answer as the client receives it, or the last failure: an {@link UpstreamException}, or the
     *         policy's refusal (bulkhead full, breaker open, budget spent)
     */
    CompletionStage<byte[]> forward(RequestKind kind, byte[] body, String model, Instant deadline) {
        CompletionStage<byte[]> answer;
        try {
            answer = guard.call(() -> attempt(kind, body, model, deadline), ANSWER);
        } catch (Exception e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.whenComplete((answered, failure) -> {
            Throwable cause = unwrapped(failure);
            if (cause instanceof CircuitBreakerOpenException) {
                metrics.upstreamCall(name, "breaker_open");
            } else if (cause instanceof WaitBudgetSpent) {
                metrics.upstreamCall(name, "budget_spent");
            }
        });
    }

    /**
     * Takes one of the bulkhead's slots for an attempt, or says why it cannot start: too little of the budget left
     * for one, or every slot in use. Null when the slot is taken (the caller releases it).
     */
    private RuntimeException takeSlot(Duration remaining) {
        if (remaining.compareTo(SHORTEST_ATTEMPT) < 0) {
            return new WaitBudgetSpent("no wait budget left for another attempt at " + name, null);
        }
        if (!slots.tryAcquire()) {
            metrics.upstreamCall(name, "bulkhead_full");
            return new BulkheadException("upstream-" + name + " has " + config.maxConcurrency() + " calls in flight");
        }
        return null;
    }

    private CompletionStage<byte[]> attempt(RequestKind kind, byte[] body, String model, Instant deadline) {
        Duration remaining = Duration.between(clock.instant(), deadline);
        RuntimeException refused = takeSlot(remaining);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        Duration timeout = remaining.compareTo(config.timeout()) < 0 ? remaining : config.timeout();
        CompletableFuture<byte[]> outcome = new CompletableFuture<>();
        client.forward(kind, body, model, timeout).whenComplete((answer, failure) -> {
            slots.release();
            if (failure == null) {
                metrics.upstreamCall(name, "succeeded");
                outcome.complete(answer);
                return;
            }
            outcome.completeExceptionally(failed(failure, deadline));
        });
        return outcome;
    }

    /** An attempt's failure, counted, as the policy sees it. */
    private Throwable failed(Throwable failure, Instant deadline) {
        Throwable cause = unwrapped(failure);
        if (cause instanceof UpstreamException e) {
            metrics.upstreamCall(name, e.code().startsWith("upstream_") ? e.code().substring(9) : "rejected");
            Optional<Duration> retryAfter = e.retryAfter();
            if (e.retryable() && retryAfter.isPresent()
                    && clock.instant().plus(retryAfter.get()).plus(SHORTEST_ATTEMPT).isAfter(deadline)) {
                // Honouring Retry-After would outlast the client's wait: spill now rather than at the deadline.
                return new WaitBudgetSpent(name + " asked to wait " + retryAfter.get() + ", past the wait budget", e);
            }
        }
        return cause;
    }

    /**
     * Forwards a body that asks to stream, under the same policy as {@link #forward} until the upstream answers 2xx;
     * the stream then holds its slot until it ends. Once the answer has begun nothing is retried: the client already
     * has part of it. The whole call is bounded by the target's timeout, not the wait budget, which only bounds the
     * wait for the answer to begin.
     *
     * @return the upstream's body as it arrives
     */
    CompletionStage<Multi<Buffer>> openStream(RequestKind kind, byte[] body, Instant deadline) {
        CompletionStage<Multi<Buffer>> stream;
        try {
            stream = guard.call(() -> streamAttempt(kind, body, deadline), STREAM);
        } catch (Exception e) {
            stream = CompletableFuture.failedFuture(e);
        }
        return stream;
    }

    private CompletionStage<Multi<Buffer>> streamAttempt(RequestKind kind, byte[] body, Instant deadline) {
        RuntimeException refused = takeSlot(Duration.between(clock.instant(), deadline));
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        CompletableFuture<Multi<Buffer>> outcome = new CompletableFuture<>();
        client.openStream(kind, body, config.timeout()).whenComplete((stream, failure) -> {
            if (failure == null) {
                metrics.upstreamCall(name, "succeeded");
                AtomicBoolean released = new AtomicBoolean();
                outcome.complete(stream.body().onTermination().invoke(() -> {
                    if (released.compareAndSet(false, true)) {
                        slots.release();
                    }
                }));
                return;
            }
            slots.release();
            outcome.completeExceptionally(failed(failure, deadline));
        });
        return outcome;
    }

    @Override
    public void close() {
        client.close();
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
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
        return failure instanceof WaitBudgetSpent spent && spent.getCause() != null;
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
