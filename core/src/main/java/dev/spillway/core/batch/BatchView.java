package dev.spillway.core.batch;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.spillway.core.job.JobView;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The OpenAI batch object. Times are Unix seconds. A batch read from an S3 object names its files by URI:
 * {@code input_file_id} is {@code s3://bucket/key} of the input, {@code output_file_id} and {@code error_file_id}
 * those of the result files written next to it once the batch ended, and {@code request_counts} include the lines
 * that never became requests (as failed). Otherwise the requests arrive inline, so {@code input_file_id} is null;
 * result files are produced on read, so there is no separate finalizing phase ({@code finalizing_at} is the time
 * the last request finished).
 *
 * <p>Spillway extension: {@code webhook}, the batch's webhook when it was created with a callback URL (null
 * otherwise), as on a job: {@code url}, {@code status} ({@code pending} until the batch is final and the batch
 * webhooks task takes it up, then {@code delivering}, {@code delivered}, {@code failed} or {@code refused}),
 * {@code attempts}, {@code last_http_status}, {@code last_error}, {@code delivered_at}.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BatchView(
        String id,
        String object,
        String endpoint,
        Errors errors,
        @JsonProperty("input_file_id") String inputFileId,
        @JsonProperty("completion_window") String completionWindow,
        String status,
        @JsonProperty("output_file_id") String outputFileId,
        @JsonProperty("error_file_id") String errorFileId,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("in_progress_at") Long inProgressAt,
        @JsonProperty("expires_at") long expiresAt,
        @JsonProperty("finalizing_at") Long finalizingAt,
        @JsonProperty("completed_at") Long completedAt,
        @JsonProperty("failed_at") Long failedAt,
        @JsonProperty("expired_at") Long expiredAt,
        @JsonProperty("cancelling_at") Long cancellingAt,
        @JsonProperty("cancelled_at") Long cancelledAt,
        @JsonProperty("request_counts") RequestCounts requestCounts,
        Map<String, String> metadata,
        JobView.WebhookView webhook) {

    @RegisterForReflection
    public record RequestCounts(int total, int completed, int failed) {
    }

    @RegisterForReflection
    public record Errors(String object, List<ErrorData> data) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ErrorData(String code, String message, String param, Integer line) {
    }

    public static BatchView of(BatchSnapshot snapshot) {
        var batch = snapshot.batch();
        BatchStatus status = snapshot.status();
        Instant finished = snapshot.finished();
        Instant failedAt = status == BatchStatus.FAILED ? batch.created().plus(BatchSnapshot.CREATION_GRACE) : null;
        Errors errors = status == BatchStatus.FAILED ? new Errors("list", List.of(new ErrorData(
                "batch_creation_interrupted", "The batch was interrupted while its requests were being queued; "
                        + "nothing of it runs. Submit it again.", null, null)))
                : null;
        FileSource file = batch.file();
        int rejected = file == null ? 0 : file.rejected();
        return new BatchView(batch.id(), "batch", batch.endpoint(), errors, file == null ? null : file.inputUri(),
                batch.completionWindow(), status.wireName(),
                file != null ? file.outputUri() : snapshot.hasOutputFile() ? BatchFile.Kind.OUTPUT.fileOf(batch.id()) : null,
                file != null ? file.errorUri() : snapshot.hasErrorFile() ? BatchFile.Kind.ERRORS.fileOf(batch.id()) : null,
                batch.created().getEpochSecond(),
                seconds(batch.accepted()),
                batch.deadline().getEpochSecond(),
                status == BatchStatus.COMPLETED ? seconds(finished) : null,
                status == BatchStatus.COMPLETED ? seconds(finished) : null,
                seconds(failedAt),
                status == BatchStatus.EXPIRED ? seconds(batch.deadline()) : null,
                seconds(batch.cancelRequested()),
                status == BatchStatus.CANCELLED ? seconds(finished != null ? finished : batch.cancelRequested()) : null,
                new RequestCounts(batch.total() + rejected, snapshot.completed(), snapshot.failed() + rejected),
                batch.metadata().isEmpty() ? null : batch.metadata(),
                JobView.WebhookView.of(batch.callbackUrl(), batch.webhook()));
    }

    private static Long seconds(Instant instant) {
        return instant == null ? null : instant.getEpochSecond();
    }
}
