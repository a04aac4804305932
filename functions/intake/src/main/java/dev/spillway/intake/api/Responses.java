package dev.spillway.intake.api;

import java.time.Duration;
import java.util.Optional;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobView;
import dev.spillway.intake.Submission;

/** How a job turns into an HTTP answer for a caller that wanted the completion itself. */
final class Responses {

    private Responses() {
    }

    /** 200 with a completion answered from the cache. */
    static Response fromCache(Submission submission) {
        return Response.ok(submission.hit().completion(), MediaType.APPLICATION_JSON_TYPE)
                .header(SpillwayHeaders.CACHE, submission.cacheStatus())
                .header(SpillwayHeaders.LANE, "cache")
                .build();
    }

    /** 200 with a completion an upstream target answered directly; no job exists. */
    static Response fromDirect(Submission submission) {
        return Response.ok(submission.direct().body(), MediaType.APPLICATION_JSON_TYPE)
                .header(SpillwayHeaders.CACHE, submission.cacheStatus())
                .header(SpillwayHeaders.LANE, "direct")
                .header(SpillwayHeaders.TARGET, submission.direct().target())
                .build();
    }

    static Response.ResponseBuilder accepted(Job job, Duration pollAfter) {
        return Response.status(202)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Location", JobView.path(job.id()))
                .header("Retry-After", Math.max(1, pollAfter.toSeconds()))
                .header(SpillwayHeaders.JOB_ID, job.id())
                .entity(JobView.of(job));
    }

    /** 200 with the completion, the job's failure as an error, or 202 while it is still running. */
    static Response.ResponseBuilder completionOrJob(Job job, Duration pollAfter) {
        if (job.status() == JobStatus.SUCCEEDED) {
            return Response.ok(job.result(), MediaType.APPLICATION_JSON_TYPE)
                    .header(SpillwayHeaders.JOB_ID, job.id());
        }
        Optional<ApiException> failure = failureOf(job);
        if (failure.isPresent()) {
            return error(failure.get()).header(SpillwayHeaders.JOB_ID, job.id());
        }
        return accepted(job, pollAfter);
    }

    static Optional<ApiException> failureOf(Job job) {
        return switch (job.status()) {
            case FAILED -> Optional.of(new ApiException(job.error().status(), job.error().type(), job.error().code(),
                    null, job.error().message(), null));
            case CANCELLED -> Optional.of(new ApiException(409, ApiException.CONFLICT, "job_cancelled", null,
                    "Job '" + job.id() + "' was cancelled before it finished.", null));
            case EXPIRED -> Optional.of(new ApiException(504, ApiException.SERVER_ERROR, "job_expired", null,
                    "Job '" + job.id() + "' expired in the queue before a worker could run it.", null));
            default -> Optional.empty();
        };
    }

    static Response.ResponseBuilder error(ApiException e) {
        Response.ResponseBuilder builder = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(e.toBody());
        e.retryAfter().ifPresent(after -> builder.header("Retry-After", Math.max(1, after.toSeconds())));
        return builder;
    }
}
