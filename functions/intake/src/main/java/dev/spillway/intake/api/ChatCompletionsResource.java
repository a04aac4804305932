package dev.spillway.intake.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestMulti;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobView;
import dev.spillway.core.metrics.EmbeddedMetrics;
import dev.spillway.core.job.Tier;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.JobEventRelay;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.Submission;
import dev.spillway.intake.WaitBudgets;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code POST /v1/chat/completions}, and likewise {@code /v1/completions} and {@code /v1/embeddings}: the answer
 * within the caller's wait budget, else 202 and the job. The three endpoints share every lane and this one path
 * through them; only the request's kind differs.
 */
@Path("/v1")
public class ChatCompletionsResource {

    private final IntakeService intake;
    private final Jobs jobs;
    private final WaitBudgets waits;
    private final Authenticator authenticator;
    private final Clock clock;
    private final ObjectMapper json;
    private final EmbeddedMetrics emf;
    private final JobEventRelay relay;

    public ChatCompletionsResource(IntakeService intake, Jobs jobs, WaitBudgets waits, Authenticator authenticator,
            Clock clock, ObjectMapper json, EmbeddedMetrics emf, JobEventRelay relay) {
        this.relay = relay;
        this.json = json;
        this.emf = emf;
        this.intake = intake;
        this.jobs = jobs;
        this.waits = waits;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * {@code POST /v1/chat/completions}, {@code /v1/completions} (a text completion; DeepSeek's fill-in-the-middle with
     * {@code suffix}) and {@code /v1/embeddings}: one path for all three, only the request's kind differs.
     *
     * <p>Non-blocking: a cache hit this instance holds in memory for a caller it remembers is answered on the event
     * loop, so it never queues behind blocking work; everything else is submitted on the worker pool, and the wait
     * that follows holds no thread.
     */
    @POST
    @Path("{endpoint: chat/completions|completions|embeddings}")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<Buffer> create(@PathParam("endpoint") String endpoint, byte[] body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(SpillwayHeaders.PREFER) String prefer,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @HeaderParam(SpillwayHeaders.CACHE) String cacheOptIn,
            @HeaderParam(SpillwayHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @HeaderParam(SpillwayHeaders.CALLBACK_URL) String callbackUrl) {
        // the path's pattern admits exactly the kinds' own paths
        RequestKind kind = RequestKind.ofUpstreamPath(endpoint).orElseThrow();
        return answer(kind, body, authorization, contentType, prefer, cacheControl, cacheOptIn, idempotencyKey,
                callbackUrl);
    }

    private RestMulti<Buffer> answer(RequestKind kind, byte[] body, String authorization, String contentType,
            String prefer, String cacheControl, String cacheOptIn, String idempotencyKey, String callbackUrl) {
        // The budget runs from arrival: time spent queued for a worker thread is part of the caller's wait.
        Duration budget = WaitPreference.parse(prefer).map(waits::clamp).orElseGet(waits::defaultWait);
        Instant deadline = clock.instant().plus(budget);
        CachePolicy cachePolicy = CachePolicy.from(cacheControl, cacheOptIn);
        BiFunction<Caller, Duration, IntakeRequest> request = (caller, wait) -> new IntakeRequest(caller, body,
                cachePolicy, Tier.INTERACTIVE, idempotencyKey, wait, callbackUrl, SpillwayHeaders.CALLBACK_URL, kind);

        Optional<Caller> remembered = authenticator.authenticateFromMemory(authorization);
        if (remembered.isPresent()) {
            JsonBodies.requireJson(contentType);
            Optional<Submission> hit = intake.answerFromMemory(request.apply(remembered.get(), budget));
            if (hit.isPresent()) {
                return reply(Uni.createFrom().item(fromCache(hit.get())));
            }
        }
        return reply(WorkerPool.run(() -> {
            Caller caller = authenticator.authenticate(authorization);
            JsonBodies.requireJson(contentType);
            Submission submission = intake.submit(request.apply(caller, left(deadline)));
            if (submission.isHit()) {
                return Uni.createFrom().item(fromCache(submission));
            }
            if (submission.isDirect() && submission.direct().events() != null) {
                return Uni.createFrom().item(Reply.events(Map.of(SpillwayHeaders.CACHE, submission.cacheStatus(),
                        SpillwayHeaders.LANE, "direct", SpillwayHeaders.TARGET, submission.direct().target()),
                        submission.direct().events()));
            }
            if (submission.isDirect()) {
                return Uni.createFrom().item(Reply.of(Responses.fromDirect(submission), json));
            }
            if (streamsLive(submission, left(deadline))) {
                return Uni.createFrom().item(liveStream(submission, budget, deadline));
            }
            // A spill after the direct lane gave up waits only for what is left of the caller's budget.
            return jobs.await(submission.job(), left(deadline)).map(job -> {
                Map<String, String> headers = spillHeaders(submission, budget);
                if (submission.streams() && job.status() == JobStatus.SUCCEEDED) {
                    headers.put(SpillwayHeaders.JOB_ID, job.id());
                    return Reply.events(headers, EventStreams.replay(job.result(), submission.includeUsage()));
                }
                if (submission.streams() && !job.status().isFinal()) {
                    // A streaming client would read a 202's JSON as an empty stream: tell it, in the stream, where
                    // its answer will be.
                    headers.put(SpillwayHeaders.JOB_ID, job.id());
                    headers.put("Location", JobView.path(job.id()));
                    headers.put("Retry-After", Long.toString(Math.max(1, waits.retryAfter(job).toSeconds())));
                    return Reply.events(202, headers, Multi.createFrom().item(EventStreams.pending(job.id())));
                }
                Response.ResponseBuilder response = Responses.completionOrJob(job, waits.retryAfter(job));
                headers.forEach(response::header);
                return Reply.of(response.build(), json);
            });
        }));
    }

    /**
     * A streaming client of a job that streams is relayed the worker's chunks as they come; headers leave at once,
     * so it learns the job id to resume with ({@code GET /v1/jobs/{id}/events}) before the first token. A job that
     * will not start within the budget, or an attached job whose own client did not stream, is answered as before.
     */
    private boolean streamsLive(Submission submission, Duration left) {
        Job job = submission.job();
        return submission.streams() && job.request().stream() && !job.status().isFinal()
                && !waits.outlasts(job, left);
    }

    private Reply liveStream(Submission submission, Duration budget, Instant deadline) {
        Job job = submission.job();
        Map<String, String> headers = spillHeaders(submission, budget);
        headers.put(SpillwayHeaders.JOB_ID, job.id());
        headers.put("Location", JobView.path(job.id()));
        return Reply.events(headers, EventStreams.relayed(relay.follow(job, Optional.empty(), left(deadline)),
                job.model(), submission.includeUsage(), stored -> EventStreams.storedAnswer(stored,
                        submission.includeUsage())));
    }

    /** What every spill-lane reply says: how the cache was used, the lane, a replay, the wait applied. */
    private static Map<String, String> spillHeaders(Submission submission, Duration budget) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SpillwayHeaders.CACHE, submission.cacheStatus());
        headers.put(SpillwayHeaders.LANE, "spill");
        headers.put(SpillwayHeaders.IDEMPOTENT_REPLAYED, submission.replayed() ? "true" : null);
        headers.put(SpillwayHeaders.PREFERENCE_APPLIED, "wait=" + budget.toSeconds());
        return headers;
    }

    private Reply fromCache(Submission submission) {
        if (submission.streams()) {
            return Reply.events(Map.of(SpillwayHeaders.CACHE, submission.cacheStatus(), SpillwayHeaders.LANE, "cache"),
                    EventStreams.replay(submission.hit().completion(), submission.includeUsage()));
        }
        return Reply.of(Responses.fromCache(submission), json);
    }

    /**
     * Status and headers are known once {@code reply} is: the body then streams without holding a thread. Response
     * filters do not see a streamed reply, so its metrics line is written here ({@link RequestMetrics} writes the
     * refusals' lines).
     */
    private RestMulti<Buffer> reply(Uni<Reply> reply) {
        long started = System.nanoTime();
        Uni<Reply> recorded = reply.invoke(answer -> emf.request(answer.header(SpillwayHeaders.LANE),
                answer.header(SpillwayHeaders.CACHE), answer.status(), (System.nanoTime() - started) / 1e6));
        return RestMulti.fromUniResponse(recorded, Reply::body, Reply::headers, Reply::status);
    }

    private Duration left(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
