package dev.spillway.core.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.spillway.core.api.ApiError;
import dev.spillway.core.job.Job;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One line of a batch's output or error file, in OpenAI's batch output format: the response of a request that
 * ran (its completion, or its error body with the HTTP status a direct call would have had), or the reason it
 * never ran.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BatchResultLine(String id, @JsonProperty("custom_id") String customId, Response response,
        Error error) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Response(@JsonProperty("status_code") int statusCode, @JsonProperty("request_id") String requestId,
            Object body) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Error(String code, String message) {
    }

    /** The line for a finished job of the batch, or null when the job has not finished. */
    public static BatchResultLine of(Job job, BatchStatus batchStatus) {
        String id = "batch_req_" + job.id().substring("job_".length());
        String customId = job.batchLine().customId();
        return switch (job.status()) {
            case SUCCEEDED -> new BatchResultLine(id, customId, new Response(200, job.id(), job.result()), null);
            case FAILED -> new BatchResultLine(id, customId, new Response(job.error().status(), job.id(),
                    ApiError.of(job.error().message(), job.error().type(), null, job.error().code())), null);
            case EXPIRED -> new BatchResultLine(id, customId, null,
                    new Error("batch_expired", "This request could not be executed before the completion window expired."));
            case CANCELLED -> new BatchResultLine(id, customId, null, switch (batchStatus) {
                case EXPIRED -> new Error("batch_expired",
                        "This request could not be executed before the completion window expired.");
                case CANCELLED, CANCELLING -> new Error("batch_cancelled",
                        "This request could not be executed before the batch was cancelled.");
                default -> new Error("request_cancelled", "This request was cancelled on its own (DELETE /v1/jobs).");
            });
            case QUEUED, RUNNING -> null;
        };
    }

    public boolean succeeded() {
        return response != null && response.statusCode() == 200;
    }
}
