package dev.spillway.core.notice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.Usage;
import dev.spillway.core.job.BatchLine;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.WebhookDelivery;

class NoticeMessageTest {

    /** Configured as Quarkus configures the application's mapper. */
    private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00.123Z");

    @Test
    void decode_ofAnEncodedSucceededJob_givesBackTheJobAsStored() {
        // GIVEN a succeeded batch job with a webhook recorded on it
        Job job = finished(JobStatus.SUCCEEDED, "hello", ChatCompletion.of("chatcmpl-1", T0.getEpochSecond(), "m",
                "hi there", "stop", Usage.of(3, 2)), null)
                .withBatchLine(new BatchLine("batch_1", "line-7", 6))
                .withCallbackUrl("https://example.com/hook");

        // WHEN it is encoded and decoded
        NoticeMessage notice = NoticeMessage.decode(NoticeMessage.encode(job, JSON), JSON).orElseThrow();

        // THEN the waiter gets the very same job
        assertThat(notice.jobId()).isEqualTo(job.id());
        assertThat(notice.job()).contains(job);
    }

    @Test
    void decode_ofAnEncodedFailedJob_keepsItsError() {
        Job job = finished(JobStatus.FAILED, "too long", null, JobError.rejected("context_length_exceeded", "too long"));

        NoticeMessage notice = NoticeMessage.decode(NoticeMessage.encode(job, JSON), JSON).orElseThrow();

        assertThat(notice.job()).hasValueSatisfying(decoded -> {
            assertThat(decoded.status()).isEqualTo(JobStatus.FAILED);
            assertThat(decoded.error()).isEqualTo(job.error());
            assertThat(decoded.result()).isNull();
        });
    }

    @Test
    void encode_ofAJobTooLargeToFanOut_sendsTheBareId() {
        // GIVEN a finished job whose prompt alone exceeds what a notice may carry
        Job job = finished(JobStatus.SUCCEEDED, "x".repeat(NoticeMessage.MAX_CHARS), ChatCompletion.of("c", 0, "m",
                "ok", "stop", Usage.of(1, 1)), null);

        // WHEN it is announced
        String message = NoticeMessage.encode(job, JSON);

        // THEN only its id travels, and waiters read the job from the store
        assertThat(message).isEqualTo(job.id());
        NoticeMessage notice = NoticeMessage.decode(message, JSON).orElseThrow();
        assertThat(notice.jobId()).isEqualTo(job.id());
        assertThat(notice.job()).isEmpty();
    }

    @Test
    void decode_ofAJobThatIsNotFinalOrNotTheNamedOne_wakesTheWaiterWithoutAnswering() throws Exception {
        // GIVEN notices whose job cannot stand in for a read: still running, or another job's
        Job running = finished(JobStatus.RUNNING, "hello", null, null);
        Job other = finished(JobStatus.SUCCEEDED, "hello", ChatCompletion.of("c", 0, "m", "ok", "stop",
                Usage.of(1, 1)), null);
        String named = JobIds.next();
        String mismatched = JSON.writeValueAsString(new NoticeMessage.Carried(named, other));

        // THEN each wakes the waiters of the named job, who read the store instead
        assertThat(NoticeMessage.decode(NoticeMessage.encode(running, JSON), JSON)).hasValueSatisfying(notice -> {
            assertThat(notice.jobId()).isEqualTo(running.id());
            assertThat(notice.job()).isEmpty();
        });
        assertThat(NoticeMessage.decode(mismatched, JSON)).hasValueSatisfying(notice -> {
            assertThat(notice.jobId()).isEqualTo(named);
            assertThat(notice.job()).isEmpty();
        });
    }

    @Test
    void decode_ofSomethingElseOnTheChannel_isNoNotice() {
        assertThat(NoticeMessage.decode("hello", JSON)).isEmpty();
        assertThat(NoticeMessage.decode("{\"id\":\"not-a-job-id\"}", JSON)).isEmpty();
        assertThat(NoticeMessage.decode("{broken", JSON)).isEmpty();
        assertThat(NoticeMessage.decode(null, JSON)).isEmpty();
    }

    @Test
    void decode_ofABareJobId_wakesItsWaitersToReadTheStore() {
        String id = JobIds.next();

        assertThat(NoticeMessage.decode(id, JSON)).hasValueSatisfying(notice -> {
            assertThat(notice.jobId()).isEqualTo(id);
            assertThat(notice.job()).isEmpty();
        });
    }

    private static Job finished(JobStatus status, String prompt, ChatCompletion result, JobError error) {
        ChatCompletionRequest request = new ChatCompletionRequest("m", List.of(new ChatMessage("user", prompt, null)),
                0.0, null, 64, 7L, List.of("END"), "u-1");
        return new Job(JobIds.next(), "tenant-a", status, Tier.BATCH, request, "cache-key", T0, T0.plusSeconds(3600),
                T0.plusMillis(5), status.isFinal() ? T0.plusMillis(40) : null, null, null, 1, result, error, null, null,
                new WebhookDelivery(WebhookDelivery.State.DELIVERED, 1, 200, null, T0.plusSeconds(1), null, null),
                null);
    }
}
