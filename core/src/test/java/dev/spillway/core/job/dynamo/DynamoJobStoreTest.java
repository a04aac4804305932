package dev.spillway.core.job.dynamo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.RequestKind;
import dev.spillway.core.api.Usage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.local.emulators.LocalCloud;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** The job state machine on the DynamoDB emulator: every transition holds only from the state it leaves. */
class DynamoJobStoreTest {

    private static LocalCloud cloud;
    private static DynamoJobStore store;
    /** Now, not a fixed date: the DynamoDB emulator sweeps items whose TTL has passed, and TTLs here are relative to T0. */
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @BeforeAll
    static void startDynamo() {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "store-test", 0, 0, 0));
        store = new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(), Duration.ofDays(7),
                new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static Job newJob() {
        Job job = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "hi")), 0.0, 1.0, 8, 42L, List.of("END"), "u1"), "cache-key", T0,
                T0.plus(Duration.ofHours(1)));
        store.create(job);
        return job;
    }

    private static ChatCompletion completion() {
        return ChatCompletion.of("chatcmpl-1", T0.getEpochSecond(), "m", "hello", "stop", Usage.of(3, 1));
    }

    @Test
    void create_storesAQueuedJobThatReadsBackWhole() {
        Job job = newJob();

        Job read = store.find(job.id()).orElseThrow();

        assertThat(read).isEqualTo(job);
        assertThatThrownBy(() -> store.create(job)).isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void aJobOfAnotherEndpoint_readsBackForThatEndpoint_whileAChatJobsItemKeepsTheBareBody() throws Exception {
        // GIVEN a text-completion job and a chat job
        ObjectNode fim = (ObjectNode) new ObjectMapper().readTree("{\"model\":\"m\",\"prompt\":\"def f(\","
                + "\"suffix\":\"return 1\",\"max_tokens\":8}");
        Job completion = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD,
                ChatCompletionRequest.of(RequestKind.COMPLETION, fim), null, T0, T0.plus(Duration.ofHours(1)));
        store.create(completion);
        Job chat = newJob();

        // WHEN they are read back
        Job read = store.find(completion.id()).orElseThrow();

        // THEN the completion job is one, and the chat job's stored request is its body as before
        assertThat(read).isEqualTo(completion);
        assertThat(read.request().kind()).isEqualTo(RequestKind.COMPLETION);
        assertThat(read.request().body()).isEqualTo(fim);
        String storedChat = cloud.dynamo().getItem(b -> b.tableName(cloud.jobsTable())
                .key(Map.of("id", AttributeValue.fromS(chat.id())))).item().get("request").s();
        assertThat(new ObjectMapper().readTree(storedChat)).isEqualTo(chat.request().body());
        assertThat(store.find(chat.id()).orElseThrow().request().kind()).isEqualTo(RequestKind.CHAT);
    }

    @Test
    void claim_succeedsOnceAndRefusesASecondWorkerWhileTheLeaseLives() {
        Job job = newJob();

        Optional<Job> first = store.claim(job.id(), "w1", T0, T0.plusSeconds(60));
        Optional<Job> second = store.claim(job.id(), "w2", T0.plusSeconds(10), T0.plusSeconds(70));

        assertThat(first).hasValueSatisfying(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(j.leaseOwner()).isEqualTo("w1");
            assertThat(j.attempts()).isEqualTo(1);
            assertThat(j.started()).isEqualTo(T0);
        });
        assertThat(second).isEmpty();
    }

    @Test
    void claim_takesOverAJobWhoseLeaseLapsed() {
        Job job = newJob();
        store.claim(job.id(), "dead-worker", T0, T0.plusSeconds(60));

        Optional<Job> takeover = store.claim(job.id(), "w2", T0.plusSeconds(61), T0.plusSeconds(121));

        assertThat(takeover).hasValueSatisfying(j -> {
            assertThat(j.leaseOwner()).isEqualTo("w2");
            assertThat(j.attempts()).isEqualTo(2);
            assertThat(j.started()).as("first start is kept").isEqualTo(T0);
        });
        assertThat(store.succeed(job.id(), "dead-worker", completion(), T0.plusSeconds(62)))
                .as("the dead worker's late result is refused").isEmpty();
    }

    @Test
    void succeed_storesTheResultOnceAndSetsTheTtl() {
        Job job = newJob();
        store.claim(job.id(), "w1", T0, T0.plusSeconds(60));

        boolean stored = store.succeed(job.id(), "w1", completion(), T0.plusSeconds(5)).isPresent();
        boolean again = store.succeed(job.id(), "w1", completion(), T0.plusSeconds(6)).isPresent();

        assertThat(stored).isTrue();
        assertThat(again).isFalse();
        Job done = store.find(job.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.result()).isEqualTo(completion());
        assertThat(done.finished()).isEqualTo(T0.plusSeconds(5));
        assertThat(done.leaseOwner()).isNull();
        var item = cloud.dynamo().getItem(b -> b.tableName(cloud.jobsTable())
                .key(java.util.Map.of("id", AttributeValue.fromS(job.id())))).item();
        assertThat(Long.parseLong(item.get("expiresAt").n()))
                .isEqualTo(T0.plusSeconds(5).plus(7, ChronoUnit.DAYS).getEpochSecond());
        assertThat(item.get("completionTokens").n()).isEqualTo("1");
    }

    @Test
    void fail_recordsAReadableReason() {
        Job job = newJob();
        store.claim(job.id(), "w1", T0, T0.plusSeconds(60));

        assertThat(store.fail(job.id(), "w1", JobError.rejected("context_length_exceeded", "too long"), T0)).isPresent();

        Job failed = store.find(job.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.error()).isEqualTo(new JobError("too long", "invalid_request_error",
                "context_length_exceeded", 400));
    }

    @Test
    void release_returnsTheJobToTheQueueForAnotherAttempt() {
        Job job = newJob();
        store.claim(job.id(), "w1", T0, T0.plusSeconds(60));

        assertThat(store.release(job.id(), "w2")).as("only the owner releases").isFalse();
        assertThat(store.release(job.id(), "w1")).isTrue();

        assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(store.claim(job.id(), "w2", T0.plusSeconds(1), T0.plusSeconds(61))).isPresent();
    }

    @Test
    void extendLease_holdsOnlyForTheOwnerOfARunningJob() {
        Job job = newJob();
        store.claim(job.id(), "w1", T0, T0.plusSeconds(60));

        assertThat(store.extendLease(job.id(), "w1", T0.plusSeconds(120))).isTrue();
        assertThat(store.extendLease(job.id(), "w2", T0.plusSeconds(180))).isFalse();
        assertThat(store.find(job.id()).orElseThrow().leaseUntil()).isEqualTo(T0.plusSeconds(120));
    }

    @Test
    void cancel_stopsQueuedAndRunningJobsButNotFinishedOnesOrOtherTenants() {
        Job queued = newJob();
        Job running = newJob();
        store.claim(running.id(), "w1", T0, T0.plusSeconds(60));
        Job finished = newJob();
        store.claim(finished.id(), "w1", T0, T0.plusSeconds(60));
        store.succeed(finished.id(), "w1", completion(), T0);

        assertThat(store.cancel(queued.id(), "tenant-b", T0)).as("another tenant").isEmpty();
        assertThat(store.cancel(queued.id(), "tenant-a", T0)).hasValueSatisfying(
                j -> assertThat(j.status()).isEqualTo(JobStatus.CANCELLED));
        assertThat(store.cancel(running.id(), "tenant-a", T0)).isPresent();
        assertThat(store.extendLease(running.id(), "w1", T0.plusSeconds(90))).as("worker learns it lost the job")
                .isFalse();
        assertThat(store.cancel(finished.id(), "tenant-a", T0)).isEmpty();
        assertThat(store.find(finished.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void failUnfinished_failsADeadLetteredJobButNeverAFinishedOne() {
        Job queued = newJob();
        Job finished = newJob();
        store.claim(finished.id(), "w1", T0, T0.plusSeconds(60));
        store.succeed(finished.id(), "w1", completion(), T0);

        assertThat(store.failUnfinished(queued.id(), JobError.server("delivery_attempts_exhausted", "gave up"), T0))
                .isTrue();
        assertThat(store.failUnfinished(finished.id(), JobError.server("delivery_attempts_exhausted", "gave up"), T0))
                .isFalse();
        assertThat(store.find(queued.id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void createIdempotent_storesOnceAndReportsTheEarlierUseOfTheKey() {
        Job first = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "once")), null, null, null, null, null, null), null, T0, T0.plusSeconds(60));
        Job retry = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, first.request(), null, T0, T0.plusSeconds(60));

        var created = store.createIdempotent(first, "tenant-a#k1", "hash-1", T0.plusSeconds(3600));
        var replayed = store.createIdempotent(retry, "tenant-a#k1", "hash-1", T0.plusSeconds(3600));

        assertThat(created).isEqualTo(new JobStore.IdempotentCreate(true, first.id(), "hash-1"));
        assertThat(replayed).isEqualTo(new JobStore.IdempotentCreate(false, first.id(), "hash-1"));
        assertThat(store.find(retry.id())).as("the retry stored nothing").isEmpty();
    }

    @Test
    void createIdempotent_ignoresAnExpiredKeyRecord() {
        Job old = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "old")), null, null, null, null, null, null), null, T0, T0.plusSeconds(60));
        store.createIdempotent(old, "tenant-a#k2", "hash-old", T0.plusSeconds(10));
        Job later = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, old.request(), null, T0.plusSeconds(20),
                T0.plusSeconds(80));

        assertThat(store.createIdempotent(later, "tenant-a#k2", "hash-new", T0.plusSeconds(3600)).created()).isTrue();
    }

    @Test
    void withdraw_alsoReleasesTheIdempotencyKey() {
        Job job = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "unqueued")), null, null, null, null, null, null), null, T0,
                T0.plusSeconds(60));
        store.createIdempotent(job, "tenant-a#k3", "hash-3", T0.plusSeconds(3600));

        store.withdraw(job.id(), "tenant-a#k3");

        Job again = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, job.request(), null, T0, T0.plusSeconds(60));
        assertThat(store.createIdempotent(again, "tenant-a#k3", "hash-3", T0.plusSeconds(3600)).created()).isTrue();
    }

    @Test
    void withdraw_removesOnlyAJobStillQueued() {
        Job queued = newJob();
        Job running = newJob();
        store.claim(running.id(), "w1", T0, T0.plusSeconds(60));

        store.withdraw(queued.id(), null);
        store.withdraw(running.id(), null);

        assertThat(store.find(queued.id())).isEmpty();
        assertThat(store.find(running.id())).isPresent();
    }

    private static Job unsavedJob(String content) {
        return Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", content)), 0.0, 1.0, 8, 42L, List.of("END"), "u1"), null, T0,
                T0.plus(Duration.ofHours(1)));
    }

    private static DynamoJobStore mergingStore(SpillwayMetrics metrics) {
        return new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(), Duration.ofDays(7),
                new ObjectMapper(), 1, metrics);
    }

    private static DistributionSummary createCalls(MeterRegistry registry) {
        return registry.get("spillway.write.batch.size").tag("downstream", "dynamodb-create").summary();
    }

    @Test
    void createAll_storesEveryJobInCallsOfAtMost25() {
        MeterRegistry registry = new SimpleMeterRegistry();
        DynamoJobStore metered = mergingStore(new SpillwayMetrics(registry));
        List<Job> jobs = IntStream.range(0, 60).mapToObj(i -> unsavedJob("bulk " + i)).toList();

        Map<String, RuntimeException> failures = metered.createAll(jobs);

        assertThat(failures).isEmpty();
        assertThat(jobs).allSatisfy(job -> assertThat(store.find(job.id())).hasValue(job));
        assertThat(createCalls(registry).count()).isEqualTo(3);
        assertThat(createCalls(registry).totalAmount()).isEqualTo(60);
        assertThat(createCalls(registry).max()).isEqualTo(25);
    }

    @Test
    void createAll_whenOneJobIsTooLargeForAnItem_failsThatJobAloneAndStoresTheOthers() {
        Job before = unsavedJob("before");
        Job tooLarge = unsavedJob("x".repeat(410_000));
        Job after = unsavedJob("after");

        Map<String, RuntimeException> failures = store.createAll(List.of(before, tooLarge, after));

        assertThat(failures).containsOnlyKeys(tooLarge.id());
        assertThat(failures.get(tooLarge.id())).isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("size");
        assertThat(store.find(before.id())).hasValue(before);
        assertThat(store.find(after.id())).hasValue(after);
        assertThat(store.find(tooLarge.id())).isEmpty();
    }

    @Test
    void createAll_ofOneJob_keepsTheDuplicateIdCheck() {
        Job job = newJob();

        Map<String, RuntimeException> failures = store.createAll(List.of(job));

        assertThat(failures).containsOnlyKeys(job.id());
        assertThat(failures.get(job.id())).isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void create_fromManyConcurrentCallers_storesEveryJobInFewerCallsThanJobs() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        DynamoJobStore merging = mergingStore(new SpillwayMetrics(registry));
        List<Job> jobs = IntStream.range(0, 40).mapToObj(i -> unsavedJob("concurrent " + i)).toList();
        ExecutorService callers = Executors.newFixedThreadPool(jobs.size());
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (Job job : jobs) {
                created.add(callers.submit(() -> {
                    start.await();
                    merging.create(job);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> each : created) {
                each.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(jobs).allSatisfy(job -> assertThat(store.find(job.id())).hasValue(job));
        assertThat(createCalls(registry).totalAmount()).isEqualTo(40);
        assertThat(createCalls(registry).count()).isLessThan(40);
    }

    @Test
    void create_whenMergedWithOthers_stillFailsOnlyTheCallerWhoseJobIsTooLarge() throws Exception {
        DynamoJobStore merging = mergingStore(new SpillwayMetrics(new SimpleMeterRegistry()));
        List<Job> jobs = List.of(unsavedJob("fine 1"), unsavedJob("y".repeat(410_000)), unsavedJob("fine 2"),
                unsavedJob("fine 3"));
        ExecutorService callers = Executors.newFixedThreadPool(jobs.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> created = new ArrayList<>();
        try {
            for (Job job : jobs) {
                created.add(callers.submit(() -> {
                    start.await();
                    merging.create(job);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> each : created) {
                try {
                    each.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException expectedForTheLargeOne) {
                    // checked below
                }
            }
        } finally {
            callers.shutdownNow();
        }

        assertThatThrownBy(() -> created.get(1).get()).cause().isInstanceOf(DynamoDbException.class);
        for (int i : new int[] { 0, 2, 3 }) {
            assertThat(created.get(i)).isDone().isNotCancelled();
            created.get(i).get();
            assertThat(store.find(jobs.get(i).id())).hasValue(jobs.get(i));
        }
        assertThat(store.find(jobs.get(1).id())).isEmpty();
    }
}
