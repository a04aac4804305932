package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import dev.spillway.core.queue.Fleets;
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
        queue.send(Fleets.SHARED, tier, job.id());
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
        // GIVEN three batch jobs queued and a feeder that keeps interactive jobs waiting until the batch is done
        List<Job> batch = List.of(submit("patient 1", Tier.BATCH), submit("patient 2", Tier.BATCH),
                submit("patient 3", Tier.BATCH));
        Map<String, Instant> interactiveQueuedAt = new ConcurrentHashMap<>();
        AtomicBoolean batchDone = new AtomicBoolean();
        CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
            int i = 0;
            while (!batchDone.get()) {
                // Tops the queue up rather than feeding at a rate: the pressure holds however slow the machine is.
                long missing = INTERACTIVE_PRESSURE - queue.depth(Fleets.SHARED, Tier.INTERACTIVE).visible();
                for (long k = 0; k < missing; k++) {
                    Job job = submit("sleep:100 busy " + i++, Tier.INTERACTIVE);
                    interactiveQueuedAt.put(job.id(), Instant.now());
                }
            }
        });

        // (the pressure is there before the worker takes anything, or its first claim could find no interactive work)
        await().atMost(Duration.ofSeconds(30)).until(() -> interactiveQueuedAt.size() >= INTERACTIVE_PRESSURE);

        // WHEN the worker runs under that load
        worker.start();

        // THEN the batch jobs complete ...
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> batch.stream().allMatch(this::succeeded));
        } finally {
            batchDone.set(true);
            feeder.get();
        }
        // ... each while interactive work queued before it was still waiting (it overtook it: no starvation)
        for (Job patient : batch) {
            Instant claimed = store.find(patient.id()).orElseThrow().started();
            assertThat(interactiveQueuedAt.entrySet()).as("interactive jobs waiting when %s was claimed",
                    patient.id()).anySatisfy(queued -> {
                        assertThat(queued.getValue()).isBefore(claimed);
                        Instant started = store.find(queued.getKey()).orElseThrow().started();
                        assertThat(started == null || started.isAfter(claimed)).isTrue();
                    });
        }
    }

    /** Interactive jobs kept visible in the queue: four slots of 100 ms never drain it between two top-ups. */
    private static final int INTERACTIVE_PRESSURE = 24;
}
