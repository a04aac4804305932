package dev.spillway.core.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.core.job.JobStatus;

/** A batch's status and counts, derived from its record and the states of its jobs. */
class BatchSnapshotTest {

    private static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant DEADLINE = CREATED.plus(Duration.ofHours(24));

    private static Batch accepted(int total) {
        return new Batch("batch_0123456789abcdefghjkmnpqrs", "t", "/v1/chat/completions", "24h", Map.of(), total,
                CREATED, DEADLINE, CREATED, null);
    }

    private static Batch cancelRequested(int total, Instant at) {
        Batch batch = accepted(total);
        return new Batch(batch.id(), batch.tenant(), batch.endpoint(), batch.completionWindow(), batch.metadata(),
                total, CREATED, DEADLINE, CREATED, at);
    }

    private static BatchProgress progress(Map<JobStatus, Integer> counted, Instant lastFinished) {
        return new BatchProgress(counted, lastFinished);
    }

    @Test
    void whileRunning_countsFinishedRequestsAndTakesJobsNotYetIndexedForQueued() {
        BatchSnapshot snapshot = BatchSnapshot.of(accepted(4), progress(Map.of(JobStatus.SUCCEEDED, 1,
                JobStatus.FAILED, 1, JobStatus.RUNNING, 1), CREATED.plusSeconds(5)), CREATED.plusSeconds(10));

        assertThat(snapshot.status()).isEqualTo(BatchStatus.IN_PROGRESS);
        assertThat(snapshot.completed()).isEqualTo(1);
        assertThat(snapshot.failed()).isEqualTo(1);
        assertThat(snapshot.unfinished()).isEqualTo(2);
        assertThat(snapshot.finished()).isNull();
        assertThat(snapshot.stoppable()).isFalse();
        assertThat(snapshot.hasOutputFile()).isFalse();
        assertThat(snapshot.hasErrorFile()).isFalse();
    }

    @Test
    void allSucceeded_isCompletedWithOnlyAnOutputFile() {
        Instant last = CREATED.plusSeconds(60);
        BatchSnapshot snapshot = BatchSnapshot.of(accepted(2), progress(Map.of(JobStatus.SUCCEEDED, 2), last),
                CREATED.plusSeconds(90));

        assertThat(snapshot.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(snapshot.finished()).isEqualTo(last);
        assertThat(snapshot.hasOutputFile()).isTrue();
        assertThat(snapshot.hasErrorFile()).isFalse();
    }

    @Test
    void aRequestCancelledOnItsOwn_doesNotMakeTheBatchExpired() {
        BatchSnapshot snapshot = BatchSnapshot.of(accepted(2), progress(Map.of(JobStatus.SUCCEEDED, 1,
                JobStatus.CANCELLED, 1), CREATED.plusSeconds(60)), CREATED.plusSeconds(90));

        assertThat(snapshot.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(snapshot.hasErrorFile()).isTrue();
    }

    @Test
    void cancelRequested_isCancellingUntilNoRequestRunsThenCancelled() {
        Instant cancelAt = CREATED.plusSeconds(30);
        BatchSnapshot cancelling = BatchSnapshot.of(cancelRequested(3, cancelAt), progress(Map.of(
                JobStatus.SUCCEEDED, 1, JobStatus.QUEUED, 2), CREATED.plusSeconds(20)), cancelAt);
        assertThat(cancelling.status()).isEqualTo(BatchStatus.CANCELLING);
        assertThat(cancelling.stoppable()).isTrue();

        BatchSnapshot cancelled = BatchSnapshot.of(cancelRequested(3, cancelAt), progress(Map.of(
                JobStatus.SUCCEEDED, 1, JobStatus.CANCELLED, 2), cancelAt), cancelAt.plusSeconds(1));
        assertThat(cancelled.status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(cancelled.stoppable()).isFalse();
        assertThat(cancelled.hasOutputFile()).isTrue();
        assertThat(cancelled.hasErrorFile()).isTrue();
    }

    @Test
    void pastTheWindow_isExpiredAndItsRemainingRequestsAreStopped() {
        BatchSnapshot expiring = BatchSnapshot.of(accepted(2), progress(Map.of(JobStatus.SUCCEEDED, 1,
                JobStatus.QUEUED, 1), CREATED.plusSeconds(60)), DEADLINE.plusSeconds(1));
        assertThat(expiring.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(expiring.stoppable()).isTrue();

        BatchSnapshot expired = BatchSnapshot.of(accepted(2), progress(Map.of(JobStatus.SUCCEEDED, 1,
                JobStatus.CANCELLED, 1), DEADLINE.plusSeconds(1)), DEADLINE.plusSeconds(2));
        assertThat(expired.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(expired.stoppable()).isFalse();
        assertThat(expired.hasErrorFile()).isTrue();
    }

    @Test
    void aCreationThatNeverFinished_isValidatingThenFailedAndStopsWhatItQueued() {
        Batch creating = Batch.creating("batch_0123456789abcdefghjkmnpqrs", "t", "/v1/chat/completions", "24h",
                Map.of(), 3, CREATED, DEADLINE);
        Map<JobStatus, Integer> oneQueued = Map.of(JobStatus.QUEUED, 1);

        assertThat(BatchSnapshot.of(creating, progress(oneQueued, null), CREATED.plusSeconds(1)).status())
                .isEqualTo(BatchStatus.VALIDATING);
        BatchSnapshot failed = BatchSnapshot.of(creating, progress(oneQueued, null),
                CREATED.plus(BatchSnapshot.CREATION_GRACE).plusSeconds(1));
        assertThat(failed.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(failed.stoppable()).isTrue();
        assertThat(failed.hasOutputFile()).isFalse();
        assertThat(failed.hasErrorFile()).isFalse();
    }
}
