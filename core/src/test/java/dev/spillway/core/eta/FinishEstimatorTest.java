package dev.spillway.core.eta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.config.EtaConfig;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueueDepth;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.queue.sqs.SqsWorkQueue;
import dev.spillway.local.emulators.LocalCloud;

/** The estimate's arithmetic, from given queue depths and worker reports; and how often it reads them. */
class FinishEstimatorTest {

    private static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");
    private static final EtaConfig CONFIG = new EtaConfig() {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Duration coldStart() {
            return Duration.ofMinutes(7);
        }

        @Override
        public Duration defaultServiceTime() {
            return Duration.ofSeconds(30);
        }

        @Override
        public int coldFleetSlots() {
            return 4;
        }

        @Override
        public Duration reportInterval() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration reportMaxAge() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration window() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Duration readingTtl() {
            return Duration.ofSeconds(1);
        }
    };

    private final FinishEstimator estimator = new FinishEstimator(null, null, null, CONFIG, null);

    private static FinishEstimator.Reading reading(long interactive, long standard, long batch, long inFlight,
            DrainReport... reports) {
        Map<Tier, QueueDepth> depths = new EnumMap<>(Tier.class);
        depths.put(Tier.INTERACTIVE, new QueueDepth("f", Tier.INTERACTIVE, interactive, inFlight));
        depths.put(Tier.STANDARD, new QueueDepth("f", Tier.STANDARD, standard, 0));
        depths.put(Tier.BATCH, new QueueDepth("f", Tier.BATCH, batch, 0));
        return new FinishEstimator.Reading(NOW, depths, List.of(reports));
    }

    /** A worker of 4 slots that finished 24 jobs of 2 s each in the last minute. */
    private static DrainReport busyWorker(String id) {
        return new DrainReport(id, 4, 24, Duration.ofSeconds(60), Duration.ofSeconds(2), NOW.minusSeconds(3));
    }

    @Test
    void aFreeSlotAndNothingAhead_isOneServiceTime() {
        assertThat(estimator.wait(reading(0, 0, 0, 1, busyWorker("w")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aSteadyBacklog_isTheTurnOfTheJobPlusItsServiceTime() {
        // 12 ahead + 4 in flight + itself, at 4 slots / 2 s = 2 per second: 8.5 s
        assertThat(estimator.wait(reading(12, 0, 0, 4, busyWorker("w")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(8500));
        // a second worker doubles the drain rate
        assertThat(estimator.wait(reading(12, 0, 0, 4, busyWorker("a"), busyWorker("b")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(4250));
    }

    @Test
    void onlyHigherAndEqualTiersAreAhead() {
        DrainReport worker = busyWorker("w");
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(4500));
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.STANDARD, NOW))
                .isEqualTo(Duration.ofMillis(9500));
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.BATCH, NOW))
                .isEqualTo(Duration.ofMillis(59500));
    }

    @Test
    void aFleetWithNoLiveWorker_addsAColdStart() {
        DrainReport stale = new DrainReport("gone", 4, 24, Duration.ofSeconds(60), Duration.ofSeconds(2),
                NOW.minusSeconds(31));
        // no measurement: the default 30 s service time on the assumed 4 slots
        assertThat(estimator.wait(reading(0, 0, 0, 0, stale), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMinutes(7).plusSeconds(2));
        assertThat(estimator.wait(reading(0, 0, 0, 0), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMinutes(7).plusSeconds(30));
    }

    @Test
    void aSurgeThatJustBegan_drainsAtTheFleetsCapacity_notAtTheQuietMinutesRate() {
        // one completion in the last minute (0.017/s), but 4 slots of 2 s each can do 2 per second
        DrainReport quiet = new DrainReport("w", 4, 1, Duration.ofSeconds(60), Duration.ofSeconds(2),
                NOW.minusSeconds(1));
        assertThat(estimator.wait(reading(15, 0, 0, 4, quiet), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(10000));
    }

    @Test
    void requestsArrivingTogether_shareOneReadingOfTheQueues() throws InterruptedException {
        try (LocalCloud cloud = LocalCloud.start(
                new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "eta-test", 0, 0, 0))) {
            Fleets fleets = Fleets.shared(new Fleets.Queues(urls(cloud, "interactive"), urls(cloud, "standard"),
                    urls(cloud, "batch")));
            Set<Thread> requests = ConcurrentHashMap.newKeySet();
            GatedQueue queue = new GatedQueue(new SqsWorkQueue(cloud.sqs(), fleets, new ObjectMapper()), requests);
            FinishEstimator shared = new FinishEstimator(queue, fleets, new NoReports(), CONFIG,
                    Clock.fixed(NOW, ZoneOffset.UTC));

            // WHEN 16 requests ask for an estimate while the first one's reading is still under way
            List<Optional<Instant>> estimates = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Thread thread = new Thread(() -> {
                    Optional<Instant> estimate = shared.estimate("any-model", Tier.INTERACTIVE);
                    synchronized (estimates) {
                        estimates.add(estimate);
                    }
                });
                requests.add(thread);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(30_000);
            }

            // THEN the queues were read once (a depth per tier), and every request got the same estimate from it
            assertThat(queue.depthReads.get()).isEqualTo(Tier.values().length);
            assertThat(estimates).hasSize(16).allSatisfy(estimate -> assertThat(estimate).isPresent())
                    .containsOnly(estimates.get(0));
        }
    }

    private static Fleets.Urls urls(LocalCloud cloud, String tier) {
        return new Fleets.Urls(cloud.queueUrl(tier), Optional.of(cloud.queueUrl(tier + "-dlq")));
    }

    /**
     * ElasticMQ's queues, whose first depth read holds until every other request has either read too or is waiting
     * for a reading: so the requests surely arrive while a read is under way.
     */
    private static final class GatedQueue implements WorkQueue {
        private final WorkQueue sqs;
        private final Set<Thread> requests;
        private final Set<Thread> reading = ConcurrentHashMap.newKeySet();
        final AtomicInteger depthReads = new AtomicInteger();

        GatedQueue(WorkQueue sqs, Set<Thread> requests) {
            this.sqs = sqs;
            this.requests = requests;
        }

        @Override
        public QueueDepth depth(String fleet, Tier tier) {
            Thread self = Thread.currentThread();
            reading.add(self);
            if (depthReads.getAndIncrement() == 0) {
                await().atMost(Duration.ofSeconds(20)).until(() -> requests.stream().filter(other -> other != self)
                        .allMatch(other -> reading.contains(other) || other.getState() == Thread.State.WAITING
                                || other.getState() == Thread.State.TERMINATED));
            }
            return sqs.depth(fleet, tier);
        }

        @Override
        public void send(String fleet, Tier tier, String jobId) {
            sqs.send(fleet, tier, jobId);
        }

        @Override
        public List<QueuedMessage> receive(String fleet, Tier tier, int max, Duration wait, Duration visibility) {
            return sqs.receive(fleet, tier, max, wait, visibility);
        }

        @Override
        public List<QueuedMessage> receiveDeadLetters(String fleet, Tier tier, int max) {
            return sqs.receiveDeadLetters(fleet, tier, max);
        }

        @Override
        public void delete(QueuedMessage message) {
            sqs.delete(message);
        }

        @Override
        public void changeVisibility(QueuedMessage message, Duration timeout) {
            sqs.changeVisibility(message, timeout);
        }
    }

    /** A fleet no worker has reported on yet (the Redis adapter is covered by the intake's tests). */
    private static final class NoReports implements DrainReports {
        @Override
        public void publish(String fleet, DrainReport report, Duration keep) {
        }

        @Override
        public void withdraw(String fleet, String worker) {
        }

        @Override
        public List<DrainReport> read(String fleet) {
            return List.of();
        }
    }
}
