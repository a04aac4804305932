package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A worker told to take the batch tier only ({@code spillway.worker.tiers=batch}, as the Spot batch service runs it)
 * runs batch jobs and never receives an interactive one, even one queued first: interactive work stays for the
 * on-demand fleet.
 */
@QuarkusTest
@TestProfile(BatchOnlyWorkerTest.BatchOnly.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
class BatchOnlyWorkerTest {

    public static class BatchOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.worker.tiers", "batch");
        }
    }

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;

    private Job queued(Tier tier) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", tier, new ChatCompletionRequest("tiny",
                List.of(ChatMessage.of("user", "which tier?")), 0.0, null, 4, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, tier, job.id());
        return job;
    }

    @Test
    void anInteractiveJobQueuedFirst_staysUndelivered_whileTheBatchJobRuns() {
        // GIVEN an interactive job, then a batch job (any worker that took interactive work would take it first)
        Job interactive = queued(Tier.INTERACTIVE);
        Job batch = queued(Tier.BATCH);

        // WHEN the batch-only worker has run the batch job
        await().atMost(PATIENCE).until(() -> store.find(batch.id()).orElseThrow().status() == JobStatus.SUCCEEDED);

        // THEN the interactive job was never received: still queued, its message visible and never delivered
        assertThat(store.find(interactive.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queue.depth(Fleets.SHARED, Tier.INTERACTIVE).visible()).isEqualTo(1);
        assertThat(queue.depth(Fleets.SHARED, Tier.INTERACTIVE).inFlight()).isZero();
        SpillwayTestResource.cloud().sqs().purgeQueue(b -> b.queueUrl(
                SpillwayTestResource.cloud().queueUrl("interactive")));
    }

    @Test
    void tiers_areReadByWireName_andAnUnknownOneIsRefusedAtStartup() {
        assertThat(Worker.tiers(List.of("batch", " standard"))).containsExactlyInAnyOrder(Tier.BATCH, Tier.STANDARD);
        assertThatThrownBy(() -> Worker.tiers(List.of("gold")))
                .hasMessageContaining("'gold' is not one of interactive, standard, batch");
    }
}
