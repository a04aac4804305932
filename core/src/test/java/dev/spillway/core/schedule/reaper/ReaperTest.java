package dev.spillway.core.schedule.reaper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
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

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.JobView;
import dev.spillway.core.job.Tier;
import dev.spillway.core.job.dynamo.DynamoJobStore;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.core.queue.QueuedMessage;
import dev.spillway.core.queue.WorkQueue;
import dev.spillway.core.queue.sqs.SqsWorkQueue;
import dev.spillway.core.schedule.LocalQueues;
import dev.spillway.local.emulators.LocalCloud;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The reaper on the DynamoDB emulator and ElasticMQ: lapsed leases go back to their queue exactly once, live ones stay,
 * and jobs past their deadline become EXPIRED for good.
 */
class ReaperTest {

    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static LocalCloud cloud;
    private static DynamoJobStore store;
    private static SqsWorkQueue queue;

    private MeterRegistry registry;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(
                new LocalCloud.Options(Duration.ofSeconds(30), 5, false, false, "reaper-test", 0, 0, 0));
        store = new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(), Duration.ofDays(7),
                new ObjectMapper());
        queue = new SqsWorkQueue(cloud.sqs(), LocalQueues.of(cloud), new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    /** Each test sees only its own jobs and messages: the reaper acts on whatever the table holds. */
    @BeforeEach
    void emptyTableAndQueues() {
        registry = new SimpleMeterRegistry();
        for (Tier tier : Tier.values()) {
            cloud.sqs().purgeQueue(b -> b.queueUrl(cloud.queueUrl(tier.wireName())));
        }
        for (Map<String, AttributeValue> item : cloud.dynamo().scanPaginator(b -> b.tableName(cloud.jobsTable())
                .projectionExpression("id")).items()) {
            cloud.dynamo().deleteItem(b -> b.tableName(cloud.jobsTable()).key(item));
        }
    }

    private Reaper reaper(JobStore jobs) {
        return new Reaper(jobs, queue, LocalQueues.of(cloud), config(), new SpillwayMetrics(registry));
    }

    /** The defaults, but for a shorter grace. */
    private static ReaperConfig config() {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("spillway.reaper.lease-grace", GRACE.toString()),
                        "test", 300))
                .withMapping(ReaperConfig.class)
                .build()
                .getConfigMapping(ReaperConfig.class);
    }

    private static Job queuedJob(Tier tier, Instant deadline) {
        Job job = Job.queued(JobIds.next(), "tenant-a", tier, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "hi")), 0.0, null, 8, null, null, null), null, T0, deadline);
        store.create(job);
        return job;
    }

    /** A job a worker claimed at T0 and then died holding: its lease ends at T0 + LEASE. */
    private static Job abandonedJob(Tier tier) {
        Job job = queuedJob(tier, T0.plus(Duration.ofHours(1)));
        assertThat(store.claim(job.id(), "dead-worker", T0, T0.plus(LEASE))).isPresent();
        return job;
    }

    /** Every job id on a tier queue, one entry per message. */
    private static List<String> messagesOn(Tier tier) {
        List<String> ids = new ArrayList<>();
        List<QueuedMessage> batch;
        do {
            batch = queue.receive(Fleets.SHARED, tier, 10, Duration.ofSeconds(1), Duration.ofMinutes(5));
            batch.forEach(m -> ids.add(m.jobId()));
        } while (!batch.isEmpty());
        return ids;
    }

    private double reaped(String outcome) {
        return registry.get("spillway.reaper.jobs").tag("outcome", outcome).counter().count();
    }

    @Test
    void lapsedLease_twoReapersRacingOnTheSameCandidates_requeueEachJobOnceWithOneMessage() throws Exception {
        // GIVEN jobs whose worker died, and two reapers that both read the same candidates before either acts
        List<String> ids = IntStream.range(0, 12).mapToObj(i -> abandonedJob(Tier.STANDARD).id()).toList();
        CyclicBarrier bothFound = new CyclicBarrier(2);
        Reaper first = reaper(afterLapsedLeases(store, bothFound));
        Reaper second = reaper(afterLapsedLeases(store, bothFound));
        Instant now = T0.plus(LEASE).plus(GRACE).plusSeconds(1);

        // WHEN they run at once
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = threads.submit(() -> first.run(now));
            Future<?> b = threads.submit(() -> second.run(now));
            a.get(60, TimeUnit.SECONDS);
            b.get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        // THEN each job went back to QUEUED once, with exactly one new message
        assertThat(ids).allSatisfy(id -> {
            Job job = store.find(id).orElseThrow();
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(job.leaseOwner()).isNull();
        });
        assertThat(messagesOn(Tier.STANDARD)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(reaped("reclaimed")).as("QUEUED transitions won, both reapers together").isEqualTo(ids.size());
        assertThat(store.lapsedLeases(now, 100)).isEmpty();
    }

    @Test
    void reclaimedJob_isClaimedAgainByTheNextWorker() {
        Job job = abandonedJob(Tier.INTERACTIVE);
        Instant now = T0.plus(LEASE).plus(GRACE).plusSeconds(1);

        reaper(store).run(now);

        assertThat(messagesOn(Tier.INTERACTIVE)).containsExactly(job.id());
        assertThat(store.claim(job.id(), "w2", now, now.plus(LEASE))).hasValueSatisfying(claimed -> {
            assertThat(claimed.leaseOwner()).isEqualTo("w2");
            assertThat(claimed.attempts()).isEqualTo(2);
        });
    }

    @Test
    void liveLease_andLeaseLapsedWithinTheGrace_areLeftAlone() {
        Job live = abandonedJob(Tier.STANDARD);
        Instant now = T0.plus(LEASE).plus(GRACE).minusSeconds(1);
        Job lapsedJustNow = queuedJob(Tier.STANDARD, T0.plus(Duration.ofHours(1)));
        store.claim(lapsedJustNow.id(), "slow-worker", T0, now.minusSeconds(1));
        assertThat(store.claim(live.id(), "w1", T0.plus(LEASE).plusSeconds(1), now.plus(LEASE))).isPresent();

        reaper(store).run(now);

        assertThat(store.find(live.id()).orElseThrow()).satisfies(job -> {
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(job.leaseOwner()).isEqualTo("w1");
        });
        assertThat(store.find(lapsedJustNow.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(messagesOn(Tier.STANDARD)).isEmpty();
        assertThat(reaped("reclaimed")).isZero();
    }

    @Test
    void queuedJobPastItsDeadline_expires_andNoWorkerCanClaimItAfterwards() {
        Job overdue = queuedJob(Tier.BATCH, T0.plusSeconds(10));
        Job inTime = queuedJob(Tier.BATCH, T0.plus(Duration.ofHours(1)));
        Instant now = T0.plusSeconds(11);

        reaper(store).run(now);

        Job expired = store.find(overdue.id()).orElseThrow();
        assertThat(expired.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(expired.finished()).isEqualTo(now);
        assertThat(store.claim(overdue.id(), "w1", now.plusSeconds(1), now.plus(LEASE))).isEmpty();
        assertThat(store.find(inTime.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(reaped("expired")).isEqualTo(1);
        JobView view = JobView.of(expired);
        assertThat(view.status()).isEqualTo("expired");
        assertThat(view.error().code()).isEqualTo("job_expired");
    }

    @Test
    void lapsedLeasePastItsDeadline_expiresInsteadOfGoingBackToTheQueue() {
        Job job = queuedJob(Tier.STANDARD, T0.plus(LEASE));
        store.claim(job.id(), "dead-worker", T0, T0.plus(LEASE));
        Instant now = T0.plus(LEASE).plus(GRACE).plusSeconds(1);

        reaper(store).run(now);

        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(messagesOn(Tier.STANDARD)).isEmpty();
    }

    @Test
    void runningJobPastItsDeadline_withALiveLease_isLeftToFinish() {
        Job job = queuedJob(Tier.STANDARD, T0.plusSeconds(10));
        store.claim(job.id(), "w1", T0, T0.plus(LEASE));

        reaper(store).run(T0.plusSeconds(20));

        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void whenSendingFails_theReaperStillHandlesEveryOtherCandidate_thenReportsTheFailure() {
        // GIVEN two abandoned jobs, a third past its deadline, and a queue that refuses every send
        Job first = abandonedJob(Tier.STANDARD);
        Job second = abandonedJob(Tier.STANDARD);
        Job overdue = queuedJob(Tier.BATCH, T0.plusSeconds(10));
        Instant now = T0.plus(LEASE).plus(GRACE).plusSeconds(1);
        WorkQueue refusing = (WorkQueue) Proxy.newProxyInstance(WorkQueue.class.getClassLoader(),
                new Class<?>[] { WorkQueue.class }, (proxy, method, args) -> {
                    throw new IllegalStateException("SQS unreachable");
                });
        Reaper reaper = new Reaper(store, refusing, LocalQueues.of(cloud), config(), new SpillwayMetrics(registry));

        // WHEN it runs, THEN it fails only after the whole sweep
        assertThatThrownBy(() -> reaper.run(now)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 overdue jobs not handled").hasMessageContaining("SQS unreachable");
        assertThat(store.find(overdue.id()).orElseThrow().status()).isEqualTo(JobStatus.EXPIRED);
        // the reclaims stand (QUEUED, out of the lease index); their old messages or their deadline finish them
        assertThat(List.of(first, second)).allSatisfy(job ->
                assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED));
        assertThat(reaped("expired")).isEqualTo(1);
    }

    /**
     * {@code store}, except that {@link JobStore#lapsedLeases} returns only once both reapers have their candidates:
     * the two then race on the same jobs rather than one finishing before the other looks.
     */
    private static JobStore afterLapsedLeases(JobStore store, CyclicBarrier bothFound) {
        return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] { JobStore.class },
                (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(store, args);
                        if (method.getName().equals("lapsedLeases")) {
                            assertThat((List<?>) result).isNotEmpty();
                            bothFound.await(30, TimeUnit.SECONDS);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
