package dev.spillway.intake.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.RestMulti;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Authenticator;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobView;
import dev.spillway.core.stream.EventId;
import dev.spillway.intake.JobEventRelay;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.WaitBudgets;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code GET /v1/jobs/{id}/events}: a streamed job's answer as server-sent events, from the start of the attempt now
 * running, or after the event a dropped client last received ({@code Last-Event-ID}). A GET rather than a re-POST: it
 * is safe to repeat, creates nothing, and is what an {@code EventSource} reconnects to with {@code Last-Event-ID} by
 * itself. Like {@code POST /v1/chat/completions} it declares no media type: errors are JSON, the stream is SSE.
 */
@Path("/v1/jobs/{id}/events")
public class JobEventsResource {

    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final Jobs jobs;
    private final WaitBudgets waits;
    private final Authenticator authenticator;
    private final JobEventRelay relay;
    private final Clock clock;

    public JobEventsResource(Jobs jobs, WaitBudgets waits, Authenticator authenticator, JobEventRelay relay,
            Clock clock) {
        this.jobs = jobs;
        this.waits = waits;
        this.authenticator = authenticator;
        this.relay = relay;
        this.clock = clock;
    }

    /** Waits for the first chunk up to {@code ?wait=N} seconds (the default wait without it); holds no thread. */
    @GET
    public RestMulti<Buffer> events(@PathParam("id") String id, @QueryParam("wait") String wait,
            @HeaderParam(LAST_EVENT_ID) String lastEventId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Instant arrived = clock.instant();
        Uni<Reply> reply = WorkerPool.run(() -> {
            Caller caller = authenticator.authenticate(authorization);
            Optional<EventId> after = parseLastEventId(lastEventId);
            Duration budget = parseWait(wait);
            Job job = jobs.find(caller, id);
            if (!job.request().stream()) {
                throw ApiException.invalid("stream", "job_not_streamed", "Job '" + id + "' was not submitted with "
                        + "'stream': true, so it has no event stream; GET " + JobView.path(id) + " for its answer.");
            }
            if (after.isPresent() && after.get().attempt() > Math.max(1, job.attempts())) {
                throw ApiException.invalid(LAST_EVENT_ID, "invalid_last_event_id",
                        "Last-Event-ID '" + lastEventId + "' is not an event of job '" + id + "'.");
            }
            Duration left = Duration.between(clock.instant(), arrived.plus(budget));
            boolean includeUsage = job.request().includeUsage();
            return Uni.createFrom().item(Reply.events(Map.of(SpillwayHeaders.JOB_ID, job.id(), SpillwayHeaders.LANE,
                    "spill"), EventStreams.relayed(relay.follow(job, after, left.isNegative() ? Duration.ZERO : left),
                            job.model(), includeUsage, stored -> EventStreams.storedAnswer(stored, includeUsage))));
        });
        return RestMulti.fromUniResponse(reply, Reply::body, Reply::headers, Reply::status);
    }

    private static Optional<EventId> parseLastEventId(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(EventId.parse(lastEventId).orElseThrow(() -> ApiException.invalid(LAST_EVENT_ID,
                "invalid_last_event_id", "Last-Event-ID must be the id of an event of this stream, "
                        + "'<attempt>.<ms>-<seq>'; got '" + lastEventId + "'.")));
    }

    private Duration parseWait(String wait) {
        if (wait == null || wait.isEmpty()) {
            return waits.defaultWait();
        }
        if (wait.length() > 9 || !wait.chars().allMatch(Character::isDigit)) {
            throw ApiException.invalid("wait", "'wait' must be a whole number of seconds.");
        }
        return waits.clamp(Duration.ofSeconds(Long.parseLong(wait)));
    }
}
