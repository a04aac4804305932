package dev.spillway.core.queue.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.local.emulators.LocalCloud;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** Batched and merged sends on ElasticMQ: every job id lands once, and a bad entry fails alone. */
class SqsWorkQueueTest {

    private static LocalCloud cloud;

    private MeterRegistry registry;

    @BeforeAll
    static void startSqs() {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "queue-test", 0, 0, 0));
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @BeforeEach
    void emptyQueues() {
        registry = new SimpleMeterRegistry();
        for (Tier tier : Tier.values()) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(tier.wireName())));
        }
    }

    private SqsWorkQueue queue(int mergeConcurrency) {
        return new SqsWorkQueue(cloud.sqs(), queues(), new ObjectMapper(), mergeConcurrency,
                new SpillwayMetrics(registry));
    }

    private DistributionSummary sendCalls() {
        return registry.get("spillway.write.batch.size").tag("downstream", "sqs-send").summary();
    }

    /** Receives until {@code expected} job ids arrived (or nothing more comes), returning them all. */
    private static List<String> receiveJobIds(SqsWorkQueue queue, Tier tier, int expected) {
        List<String> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            queue.receive(Fleets.SHARED, tier, 10, Duration.ZERO, Duration.ofSeconds(60))
                    .forEach(m -> received.add(m.jobId()));
            return received.size() >= expected;
        });
        // Anything beyond the expected ids would be a duplicate or a stray: look once more.
        queue.receive(Fleets.SHARED, tier, 10, Duration.ofSeconds(1), Duration.ofSeconds(60))
                .forEach(m -> received.add(m.jobId()));
        return received;
    }

    @Test
    void sendAll_landsEveryJobIdOnItsTierInCallsOfAtMostTen() {
        SqsWorkQueue queue = queue(0);
        List<String> jobIds = IntStream.range(0, 23).mapToObj(i -> JobIds.next()).toList();

        Map<String, RuntimeException> failures = queue.sendAll(Fleets.SHARED, Tier.STANDARD, jobIds);

        assertThat(failures).isEmpty();
        assertThat(receiveJobIds(queue, Tier.STANDARD, 23)).containsExactlyInAnyOrderElementsOf(jobIds);
        assertThat(sendCalls().count()).isEqualTo(3);
        assertThat(sendCalls().totalAmount()).isEqualTo(23);
        assertThat(sendCalls().max()).isEqualTo(10);
    }

    @Test
    void sendAll_whenOneEntryIsInvalid_failsThatJobIdAloneAndSendsTheOthers() {
        SqsWorkQueue queue = queue(0);
        String before = JobIds.next();
        // U+FFFE is outside the characters SQS accepts in a message body.
        String invalid = "job_\ufffe";
        String after = JobIds.next();

        Map<String, RuntimeException> failures = queue.sendAll(Fleets.SHARED, Tier.BATCH, List.of(before, invalid, after));

        assertThat(failures).containsOnlyKeys(invalid);
        assertThat(failures.get(invalid)).isInstanceOf(SqsException.class);
        assertThat(((SqsException) failures.get(invalid)).statusCode()).isEqualTo(400);
        assertThat(receiveJobIds(queue, Tier.BATCH, 2)).containsExactlyInAnyOrder(before, after);
        assertThat(sendCalls().count()).as("one call, its failed entry mapped back").isEqualTo(1);
    }

    @Test
    void sendAll_whenOneEntryMakesTheWholeCallRefused_failsThatJobIdAloneAndSendsTheOthers() {
        SqsWorkQueue queue = queue(0);
        String before = JobIds.next();
        // ElasticMQ refuses a request carrying U+FFFF as malformed as a whole, not per entry.
        String poison = "job_\uffff";
        String after = JobIds.next();

        Map<String, RuntimeException> failures = queue.sendAll(Fleets.SHARED, Tier.STANDARD, List.of(before, poison, after));

        assertThat(failures).containsOnlyKeys(poison);
        assertThat(failures.get(poison)).isInstanceOf(SqsException.class);
        assertThat(receiveJobIds(queue, Tier.STANDARD, 2)).containsExactlyInAnyOrder(before, after);
    }

    @Test
    void send_fromManyConcurrentCallers_landsEveryJobIdInFewerCallsThanSends() throws Exception {
        SqsWorkQueue queue = queue(1);
        List<String> jobIds = IntStream.range(0, 40).mapToObj(i -> JobIds.next()).toList();
        ExecutorService callers = Executors.newFixedThreadPool(jobIds.size());
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (String jobId : jobIds) {
                sent.add(callers.submit(() -> {
                    start.await();
                    queue.send(Fleets.SHARED, Tier.INTERACTIVE, jobId);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> each : sent) {
                each.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(receiveJobIds(queue, Tier.INTERACTIVE, 40)).containsExactlyInAnyOrderElementsOf(jobIds);
        assertThat(sendCalls().totalAmount()).isEqualTo(40);
        assertThat(sendCalls().count()).isLessThan(40);
    }

    @Test
    void aModelWithQueuesOfItsOwn_hasItsJobsOnlyOnThem_andOtherModelsShareTheSharedQueues() {
        // GIVEN model "alpha" with a fleet of its own beside the shared queues
        cloud.fleetConfig("alpha");
        Fleets fleets = new Fleets(Optional.of(sharedQueues()), Map.of("alpha", new Fleets.Queues(
                fleetTier("alpha", "interactive"), fleetTier("alpha", "standard"), fleetTier("alpha", "batch"))));
        SqsWorkQueue queue = new SqsWorkQueue(cloud.sqs(), fleets, new ObjectMapper());
        String alphaJob = JobIds.next();
        String otherJob = JobIds.next();

        // WHEN a job of each model is sent to its model's fleet
        queue.send(fleets.of("alpha"), Tier.STANDARD, alphaJob);
        queue.send(fleets.of("beta"), Tier.STANDARD, otherJob);

        // THEN alpha's job is only on alpha's queue, the other only on the shared one, each labelled with its fleet
        assertThat(fleets.names()).containsExactly("alpha", Fleets.SHARED);
        assertThat(fleets.serving(List.of("alpha"))).containsExactly("alpha");
        List<QueuedMessage> onAlpha = queue.receive("alpha", Tier.STANDARD, 10, Duration.ofSeconds(1),
                Duration.ofSeconds(60));
        assertThat(onAlpha).extracting(QueuedMessage::jobId).containsExactly(alphaJob);
        assertThat(onAlpha).extracting(QueuedMessage::fleet).containsExactly("alpha");
        assertThat(receiveJobIds(queue, Tier.STANDARD, 1)).containsExactly(otherJob);
        assertThat(queue.depth("alpha", Tier.STANDARD).inFlight()).isEqualTo(1);
        onAlpha.forEach(queue::delete);
        assertThat(queue.depth("alpha", Tier.STANDARD).inFlight()).isZero();
    }

    private static Fleets.Urls fleetTier(String model, String tier) {
        return new Fleets.Urls(cloud.fleetQueueUrl(model, tier), Optional.of(cloud.fleetQueueUrl(model, tier + "-dlq")));
    }

    private static Fleets.Queues sharedQueues() {
        return new Fleets.Queues(tier("interactive"), tier("standard"), tier("batch"));
    }

    private static Fleets queues() {
        return Fleets.shared(sharedQueues());
    }
    private static Fleets.Urls tier(String name) {
        return new Fleets.Urls(cloud.queueUrl(name), Optional.of(cloud.queueUrl(name + "-dlq")));
    }
}
