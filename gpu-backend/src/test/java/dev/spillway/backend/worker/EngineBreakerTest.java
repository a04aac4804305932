package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
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
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An engine that keeps being unreachable opens its breaker: the worker then stops receiving, so a job queued meanwhile
 * is neither claimed nor sent to the engine until the breaker's delay has passed, and then runs.
 */
@QuarkusTest
@TestProfile(EngineBreakerTest.SmallBreaker.class)
@QuarkusTestResource(value = SpillwayTestResource.class, initArgs = {
        @ResourceArg(name = "visibilityTimeout", value = "3"), @ResourceArg(name = "maxReceiveCount", value = "10") },
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
class EngineBreakerTest {

    /** Two failures in a window of two open the breaker for five seconds. */
    public static class SmallBreaker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("spillway.worker.engine-breaker.window", "2",
                    "spillway.worker.engine-breaker.failure-ratio", "1.0",
                    "spillway.worker.engine-breaker.delay", "PT5S");
        }
    }

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    EngineBreakers breakers;

    @Test
    void failingEngine_restsAndTheWorkerLeavesNewJobsQueuedUntilItWakes() {
        // GIVEN two jobs whose first call finds the engine down (502 from the proxy in front of it)
        submit("down:1 first");
        submit("down:1 second");
        await().atMost(Duration.ofSeconds(30)).until(() -> !breakers.rest().isZero());

        // WHEN a good job is queued while the engine rests
        Job waiting = submit("queued while the engine rests");

        // THEN it is neither claimed nor sent to the engine while the engine rests: checked for 2 s, or until the
        // rest ends if that comes sooner (on a slow machine; touching the job after the rest is right). The rest is
        // read after the job, so a job touched during the rest fails the check.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30))
                .until(() -> (store.find(waiting.id()).orElseThrow().attempts() == 0
                        && ScriptedUpstreamResource.upstream().calls("queued while the engine rests") == 0)
                        || breakers.rest().isZero());
        // AND once the engine wakes (its trial call succeeds), every job runs and the good one reaches it once
        await().atMost(Duration.ofSeconds(60)).until(() -> store.find(waiting.id()).orElseThrow(),
                job -> job.status() == JobStatus.SUCCEEDED);
        assertThat(ScriptedUpstreamResource.upstream().calls("queued while the engine rests")).isEqualTo(1);
    }

    private Job submit(String content) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", Tier.INTERACTIVE, new ChatCompletionRequest("scripted",
                List.of(ChatMessage.of("user", content)), 1.0, null, 16, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        queue.send(Fleets.SHARED, Tier.INTERACTIVE, job.id());
        return job;
    }
}
