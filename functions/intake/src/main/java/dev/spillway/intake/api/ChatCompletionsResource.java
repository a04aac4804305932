package dev.spillway.intake.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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
import dev.spillway.core.job.Job;
import dev.spillway.core.job.Tier;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.Submission;
import dev.spillway.intake.WaitBudgets;

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

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(SpillwayHeaders.PREFER) String prefer,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @HeaderParam(SpillwayHeaders.CACHE) String cacheOptIn,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam(SpillwayHeaders.CALLBACK_URL) String callbackUrl) {
        Caller caller = authenticator.authenticate(authorization);
        JsonBodies.requireJson(contentType);
        Duration budget = WaitPreference.parse(prefer).map(waits::clamp).orElseGet(waits::defaultWait);
        Instant deadline = clock.instant().plus(budget);
        Submission submission = intake.submit(new IntakeRequest(caller, body, CachePolicy.from(cacheControl,
                cacheOptIn), Tier.INTERACTIVE, idempotencyKey, budget, callbackUrl, SpillwayHeaders.CALLBACK_URL));
        if (submission.isHit()) {
            return Responses.fromCache(submission);
        }
        if (submission.isDirect()) {
            return Responses.fromDirect(submission);
        }
        // A spill after the direct lane gave up waits only for what is left of the caller's budget.
        Duration left = Duration.between(clock.instant(), deadline);
        Job job = jobs.await(submission.job(), left.isNegative() ? Duration.ZERO : left);
        return Responses.completionOrJob(job, waits.pollAfter())
                .header(SpillwayHeaders.CACHE, submission.cacheStatus())
                .header(SpillwayHeaders.LANE, "spill")
                .header(SpillwayHeaders.IDEMPOTENT_REPLAYED, submission.replayed() ? "true" : null)
                .header(SpillwayHeaders.PREFERENCE_APPLIED, "wait=" + budget.toSeconds())
                .build();
    }
}
