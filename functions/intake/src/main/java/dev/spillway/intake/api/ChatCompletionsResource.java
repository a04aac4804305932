package dev.spillway.intake.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Tier;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.Submission;
import dev.spillway.intake.WaitBudgets;
import io.smallrye.mutiny.Uni;

/** {@code POST /v1/chat/completions}: the answer within the caller's wait budget, else 202 and the job. */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

    private final IntakeService intake;
    private final Jobs jobs;
    private final WaitBudgets waits;
    private final Authenticator authenticator;
    private final Clock clock;

    public ChatCompletionsResource(IntakeService intake, Jobs jobs, WaitBudgets waits, Authenticator authenticator,
            Clock clock) {
        this.intake = intake;
        this.jobs = jobs;
        this.waits = waits;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * Non-blocking: a cache hit this instance holds in memory for a caller it remembers is answered on the event
     * loop, so it never queues behind blocking work; everything else is submitted on the worker pool, and the wait
     * that follows holds no thread.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> create(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(SpillwayHeaders.PREFER) String prefer,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @HeaderParam(SpillwayHeaders.CACHE) String cacheOptIn,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam(SpillwayHeaders.CALLBACK_URL) String callbackUrl) {
        // The budget runs from arrival: time spent queued for a worker thread is part of the caller's wait.
        Duration budget = WaitPreference.parse(prefer).map(waits::clamp).orElseGet(waits::defaultWait);
        Instant deadline = clock.instant().plus(budget);
        CachePolicy cachePolicy = CachePolicy.from(cacheControl, cacheOptIn);
        BiFunction<Caller, Duration, IntakeRequest> request = (caller, wait) -> new IntakeRequest(caller, body,
                cachePolicy, Tier.INTERACTIVE, idempotencyKey, wait, callbackUrl, SpillwayHeaders.CALLBACK_URL);

        Optional<Caller> remembered = authenticator.authenticateFromMemory(authorization);
        if (remembered.isPresent()) {
            JsonBodies.requireJson(contentType);
            Optional<Submission> hit = intake.answerFromMemory(request.apply(remembered.get(), budget));
            if (hit.isPresent()) {
                return Uni.createFrom().item(Responses.fromCache(hit.get()));
            }
        }
        return WorkerPool.run(() -> {
            Caller caller = authenticator.authenticate(authorization);
            JsonBodies.requireJson(contentType);
            Submission submission = intake.submit(request.apply(caller, left(deadline)));
            if (submission.isHit()) {
                return Uni.createFrom().item(Responses.fromCache(submission));
            }
            if (submission.isDirect()) {
                return Uni.createFrom().item(Responses.fromDirect(submission));
            }
            // A spill after the direct lane gave up waits only for what is left of the caller's budget.
            return jobs.await(submission.job(), left(deadline)).map(job -> Responses
                    .completionOrJob(job, waits.retryAfter(job))
                    .header(SpillwayHeaders.CACHE, submission.cacheStatus())
                    .header(SpillwayHeaders.LANE, "spill")
                    .header(SpillwayHeaders.IDEMPOTENT_REPLAYED, submission.replayed() ? "true" : null)
                    .header(SpillwayHeaders.PREFERENCE_APPLIED, "wait=" + budget.toSeconds())
                    .build());
        });
    }

    private Duration left(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
