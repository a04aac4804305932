package dev.spillway.backend.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * A worker whose model {@code tiny} has a fleet of its own reads that fleet's queues and never another model's: a job
 * for a model it does not serve stays on that model's queue, undelivered, for that model's workers.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, initArgs = @ResourceArg(name = "fleets", value = "tiny"),
        restrictToAnnotatedClass = true)
class FleetPerModelTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Inject
    JobStore store;
    @Inject
    WorkQueue queue;
    @Inject
    Fleets fleets;

    private Job stored(String model, Tier tier) {
        Instant now = Instant.now();
        Job job = Job.queued(JobIds.next(), "default", tier, new ChatCompletionRequest(model,
                List.of(ChatMessage.of("user", "which fleet?")), 0.0, null, 4, null, null, null), null, now,
                now.plus(Duration.ofHours(1)));
        store.create(job);
        return job;
    }

    @Test
    void aJobOfAnotherModel_staysOnItsFleetsQueueUndelivered_whileThisWorkerRunsItsOwnModelsJobs() {
        // GIVEN a job of model "elsewhere", served by another fleet, waiting on that fleet's interactive queue
        LocalCloud cloud = SpillwayTestResource.cloud();
        cloud.fleetConfig("elsewhere");
        Job foreign = stored("elsewhere", Tier.INTERACTIVE);
        String foreignQueue = cloud.fleetQueueUrl("elsewhere", "interactive");
        cloud.sqs().sendMessage(b -> b.queueUrl(foreignQueue).messageBody("{\"job\":\"" + foreign.id() + "\"}"));
        // AND a job of this worker's model on its own fleet's lowest tier
        assertThat(fleets.of("tiny")).isEqualTo("tiny");
        Job own = stored("tiny", Tier.BATCH);
        queue.send(fleets.of("tiny"), Tier.BATCH, own.id());

        // WHEN the worker has run its own job (it asks higher tiers first, so it polled every queue it reads)
        await().atMost(PATIENCE).until(() -> store.find(own.id()).orElseThrow().status() == JobStatus.SUCCEEDED);

        // THEN the other model's job was never delivered: still QUEUED, its message received now for the first time
        assertThat(store.find(foreign.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        List<Message> waiting = cloud.sqs().receiveMessage(b -> b.queueUrl(foreignQueue).maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertThat(waiting).hasSize(1);
        assertThat(waiting.get(0).body()).contains(foreign.id());
        assertThat(waiting.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                .isEqualTo("1");
        // AND nothing of "tiny" went through the shared queues
        assertThat(queue.depth(Fleets.SHARED, Tier.BATCH).visible() + queue.depth(Fleets.SHARED, Tier.BATCH)
                .inFlight()).isZero();
    }
}
