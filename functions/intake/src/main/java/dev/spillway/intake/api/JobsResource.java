package dev.spillway.intake.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobView;
import dev.spillway.core.job.Tier;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.Submission;
import dev.spillway.intake.WaitBudgets;
import io.smallrye.mutiny.Uni;

/** Asynchronous jobs: submit without waiting, read (optionally long-polling), cancel. */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    private final IntakeService intake;
    private final Jobs jobs;
    private final WaitBudgets waits;
    private final Authenticator authenticator;
    private final Clock clock;

    public JobsResource(IntakeService intake, Jobs jobs, WaitBudgets waits, Authenticator authenticator,
            Clock clock) {
        this.intake = intake;
        this.jobs = jobs;
        this.waits = waits;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /** Always 202 at once; a cache hit is returned as an already succeeded job would be, with 200. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @HeaderParam(SpillwayHeaders.CACHE) String cacheOptIn,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam(SpillwayHeaders.CALLBACK_URL) String callbackUrl) {
        Caller caller = authenticator.authenticate(authorization);
        JsonBodies.requireJson(contentType);
        Submission submission = intake.submit(new IntakeRequest(caller, body, CachePolicy.from(cacheControl,
                cacheOptIn), Tier.STANDARD, idempotencyKey, Duration.ZERO, callbackUrl, SpillwayHeaders.CALLBACK_URL));
        if (submission.isHit()) {
            return Responses.fromCache(submission);
        }
        return Responses.accepted(submission.job(), waits.retryAfter(submission.job()))
                .header(SpillwayHeaders.CACHE, submission.cacheStatus())
                .header(SpillwayHeaders.LANE, "spill")
                .header(SpillwayHeaders.IDEMPOTENT_REPLAYED, submission.replayed() ? "true" : null)
                .build();
    }

    /**
     * The job; with {@code ?wait=N} holds the request up to N seconds (from its arrival) for it to finish. The
     * reads run on the worker pool; the wait holds no thread.
     */
    @GET
    @Path("/{id}")
    public Uni<Response> get(@PathParam("id") String id, @QueryParam("wait") String wait,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Instant arrived = clock.instant();
        return WorkerPool.run(() -> {
            Caller caller = authenticator.authenticate(authorization);
            Instant deadline = arrived.plus(parseWait(wait));
            Job found = jobs.find(caller, id);
            Duration left = Duration.between(clock.instant(), deadline);
            return jobs.await(found, left.isNegative() ? Duration.ZERO : left).map(job -> {
                Response.ResponseBuilder response = Response.ok(JobView.of(job));
                if (!job.status().isFinal()) {
                    response.header("Retry-After", Math.max(1, waits.retryAfter(job).toSeconds()));
                }
                return response.build();
            });
        });
    }

    @DELETE
    @Path("/{id}")
    public JobView cancel(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return JobView.of(jobs.cancel(authenticator.authenticate(authorization), id));
    }

    private Duration parseWait(String wait) {
        if (wait == null || wait.isEmpty()) {
            return Duration.ZERO;
        }
        if (wait.length() > 9 || !wait.chars().allMatch(Character::isDigit)) {
            throw ApiException.invalid("wait", "'wait' must be a whole number of seconds.");
        }
        return waits.clamp(Duration.ofSeconds(Long.parseLong(wait)));
    }
}
