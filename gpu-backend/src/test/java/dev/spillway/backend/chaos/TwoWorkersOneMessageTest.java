package dev.spillway.backend.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.spillway.backend.worker.DrainMeter;
import dev.spillway.backend.worker.EngineBreakers;
import dev.spillway.backend.worker.EngineRegistry;
import dev.spillway.backend.worker.JobRunner;
import dev.spillway.backend.worker.ScriptedUpstreamResource;
import dev.spillway.backend.worker.WorkerConfig;
import dev.spillway.backend.worker.WorkerIdentity;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.stream.JobStreams;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * SQS delivers one message twice and two workers (two runners with their own lease identities) take their
 * copies at the same instant: the conditional claim lets exactly one run the engine and store the result.
 */
@QuarkusTest
@TestProfile(TwoWorkersOneMessageTest.NoPolling.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
class TwoWorkersOneMessageTest {

    /** The test hands out the deliveries itself. */
    public static class NoPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.worker.enabled", "false");
        }
    }

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    EngineRegistry engines;
    @Inject
    EngineBreakers breakers;
    @Inject
    ResultCache cache;
    @Inject
    CompletionNotices notices;
    @Inject
    WorkerConfig config;
    @Inject
    SpillwayMetrics metrics;
    @Inject
    JobRunner firstWorker;
    @Inject
    DrainMeter drainMeter;
    @Inject
    JobStreams streams;

    @Test
    void sameMessageDeliveredToTwoWorkersAtOnce_runsOnceAndStoresOneResult() throws Exception {
        Instant now = Instant.now();
        String content = "hold two workers, one message";
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", content)), 1.0, null, 16, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());
        // Two deliveries of the one message: the first is made visible again at once, as when a visibility timeout
        // lapses, so the second receive gets the same message with its own receipt handle.
        QueuedMessage firstCopy = receiveOne(Duration.ZERO);
        QueuedMessage secondCopy = receiveOne(Duration.ofSeconds(30));
        assertThat(secondCopy.messageId()).isEqualTo(firstCopy.messageId());
        assertThat(secondCopy.receiveCount()).isEqualTo(2);

        JobRunner secondWorker = new JobRunner(store, queue, engines, breakers, cache, notices, config,
                new WorkerIdentity(config), metrics, Clock.systemUTC(), drainMeter, streams);
        ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(1);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            Future<?> first = workers.submit(() -> {
                gate.await();
                firstWorker.run(firstCopy, heartbeats);
                return null;
            });
            Future<?> second = workers.submit(() -> {
                gate.await();
                secondWorker.run(secondCopy, heartbeats);
                return null;
            });
            gate.countDown();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ScriptedUpstreamResource.upstream().calls(content) == 1);
            ScriptedUpstreamResource.upstream().releaseHeld();
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
        } finally {
            workers.shutdownNow();
            heartbeats.shutdownNow();
        }

        Job finished = store.find(job.id()).orElseThrow();
        assertThat(finished.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(finished.attempts()).as("claimed once").isEqualTo(1);
        assertThat(finished.result().choices().get(0).message().content()).isEqualTo("echo: " + content);
        assertThat(ScriptedUpstreamResource.upstream().calls(content)).as("engine runs").isEqualTo(1);
    }

    private QueuedMessage receiveOne(Duration visibility) {
        List<QueuedMessage> received = await().atMost(Duration.ofSeconds(10))
                .until(() -> queue.receive(Fleets.SHARED, Tier.INTERACTIVE, 1, Duration.ofSeconds(1), visibility),
                        messages -> messages.size() == 1);
        return received.get(0);
    }
}
