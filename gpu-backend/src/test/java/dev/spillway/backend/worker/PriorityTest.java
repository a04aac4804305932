package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Priorities without starvation: interactive work overtakes a standing batch backlog, and batch work still
 * progresses while interactive work never lets up (tier-starvation-limit is 2 s in tests).
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, initArgs = {
        @ResourceArg(name = "visibilityTimeout", value = "3"), @ResourceArg(name = "maxReceiveCount", value = "3") },
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
class PriorityTest {

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    Worker worker;

    /** Each test starts from empty queues with the worker stopped, and leaves it running on empty queues. */
    @BeforeEach
    void stoppedWorkerAndEmptyQueues() {
        worker.drain();
        purgeQueues();
    }

    @AfterEach
    void workerRuns() {
        worker.drain();
        purgeQueues();
        worker.start();
    }

    private static void purgeQueues() {
        LocalCloud cloud = SpillwayTestResource.cloud();
        for (String name : List.of("interactive", "standard", "batch")) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(name)));
        }
    }

    private Job submit(String content, Tier tier) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", tier, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", content)), null, null, null, null, null, null), null, now,
                now.plusSeconds(3600));
        store.create(job);
        queue.send(tier, job.id());
        return job;
    }

    private boolean succeeded(Job job) {
        return store.find(job.id()).orElseThrow().status() == JobStatus.SUCCEEDED;
    }

    /** Succeeded jobs of one tier whose prompt starts with {@code prefix}. */
    private static int succeeded(Tier tier, String prefix) {
        LocalCloud cloud = SpillwayTestResource.cloud();
        return cloud.dynamo().scanPaginator(b -> b.tableName(cloud.jobsTable())
                .filterExpression("#s = :done AND tier = :tier AND contains(#r, :prefix)")
                .expressionAttributeNames(Map.of("#s", "status", "#r", "request"))
                .expressionAttributeValues(Map.of(":done", AttributeValue.fromS("SUCCEEDED"), ":tier",
                        AttributeValue.fromS(tier.name()), ":prefix", AttributeValue.fromS(prefix))))
                .items().stream().mapToInt(item -> 1).sum();
    }

    @Test
    void interactiveBurst_overtakesAThousandQueuedBatchJobs() {
        // GIVEN 1,000 batch jobs queued, then a burst of 20 interactive ones, before the worker polls
        for (int i = 0; i < 1000; i++) {
            submit("backlog " + i, Tier.BATCH);
        }
        List<Job> urgent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            urgent.add(submit("urgent " + i, Tier.INTERACTIVE));
        }

        // WHEN the worker starts
        worker.start();

        // THEN every interactive job is done while almost all of the batch backlog still waits
        await().atMost(Duration.ofSeconds(60)).until(() -> urgent.stream().allMatch(this::succeeded));
        assertThat(succeeded(Tier.BATCH, "backlog ")).isLessThan(100);
        // ... and the backlog then drains completely
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> succeeded(Tier.BATCH, "backlog ") == 1000);
    }

    @Test
    void batchJobs_progressWhileInteractiveWorkNeverLetsUp() throws Exception {
        // GIVEN three batch jobs queued and a feeder that keeps the interactive queue full for 20 s
        List<Job> batch = List.of(submit("patient 1", Tier.BATCH), submit("patient 2", Tier.BATCH),
                submit("patient 3", Tier.BATCH));
        AtomicBoolean feeding = new AtomicBoolean(true);
        CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
            Instant stop = Instant.now().plusSeconds(20);
            int i = 0;
            while (Instant.now().isBefore(stop)) {
                // 80 jobs/s against 4 slots of 100 ms: the interactive queue is never empty.
                for (int k = 0; k < 8; k++) {
                    submit("sleep:100 busy " + i++, Tier.INTERACTIVE);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            feeding.set(false);
        });

        // WHEN the worker runs under that load
        worker.start();

        // THEN the batch jobs complete while interactive work is still pouring in
        await().atMost(Duration.ofSeconds(20)).until(() -> batch.stream().allMatch(this::succeeded));
        assertThat(feeding.get()).as("batch finished before the interactive load stopped").isTrue();
        feeder.get();
    }
}
