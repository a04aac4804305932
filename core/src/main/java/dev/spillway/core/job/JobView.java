package dev.spillway.core.job;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.spillway.core.api.ApiError;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.api.ChatCompletion;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A job as clients see it: {@code GET /v1/jobs/{id}} and the body of every 202. Times are Unix seconds.
 * {@code estimated_finish_at} is when Spillway expects an unfinished job to finish (null once it is final, or when
 * it made no estimate). {@code endpoint} is the path the request was sent to ({@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/embeddings}); {@code result} is that endpoint's own answer object.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobView(
        String id,
        String object,
        String status,
        String model,
        String endpoint,
        String tier,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("started_at") Long startedAt,
        @JsonProperty("finished_at") Long finishedAt,
        int attempts,
        ChatCompletion result,
        ApiError.Detail error,
        Map<String, String> links,
        WebhookView webhook,
        @JsonProperty("estimated_finish_at") Long estimatedFinishAt) {

    /**
     * The job's webhook: null when the job has none. {@code status} is {@code pending} until the job is final and
     * the notifier takes it up, then {@code delivering}, {@code delivered}, {@code failed} (every attempt failed) or
     * {@code refused} (the URL was refused at delivery; never connected).
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record WebhookView(
            String url,
            String status,
            int attempts,
            @JsonProperty("last_http_status") Integer lastHttpStatus,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("delivered_at") Long deliveredAt) {

        static WebhookView of(Job job) {
            return of(job.callbackUrl(), job.webhook());
        }

        /** The webhook of a job or batch with callback {@code url} (null: none) and its delivery so far. */
        public static WebhookView of(String url, WebhookDelivery delivery) {
            if (url == null) {
                return null;
            }
            if (delivery == null) {
                return new WebhookView(url, "pending", 0, null, null, null);
            }
            return new WebhookView(url, delivery.state().wireName(), delivery.attempts(),
                    delivery.lastStatus(), delivery.lastError(), seconds(delivery.deliveredAt()));
        }
    }


    public static String path(String jobId) {
        return "/v1/jobs/" + jobId;
    }

    public static JobView of(Job job) {
        ApiError.Detail error = job.error() != null
                ? new ApiError.Detail(job.error().message(), job.error().type(), null, job.error().code())
                : job.status() == JobStatus.EXPIRED ? expired(job) : null;
        return new JobView(job.id(), "job", job.status().wireName(), job.model(),
                job.request().kind().path(), job.tier().wireName(),
                job.created().getEpochSecond(), seconds(job.started()), seconds(job.finished()), job.attempts(),
                job.result(), error, Map.of("self", path(job.id())), WebhookView.of(job),
                job.status().isFinal() ? null : seconds(job.estimatedFinishAt()));
    }

    /** The reaper marks a job EXPIRED without an error of its own: say why, as a waiting client is told (504). */
    private static ApiError.Detail expired(Job job) {
        return new ApiError.Detail("Job '" + job.id() + "' expired in the queue before a worker could run it.",
                ApiException.SERVER_ERROR, null, "job_expired");
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
