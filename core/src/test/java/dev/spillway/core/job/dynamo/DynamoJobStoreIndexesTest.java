package dev.spillway.core.job.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletion;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.api.Usage;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore.Overdue;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The sparse index keys the reaper queries, kept by every transition: {@code leaseShard} only while RUNNING,
 * {@code queuedShard} only while QUEUED, each set or removed in the same conditional update as the status.
 */
class DynamoJobStoreIndexesTest {

    /** Now, not a fixed date: the DynamoDB emulator sweeps items whose TTL has passed, and TTLs here are relative to T0. */
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Duration LEASE = Duration.ofSeconds(60);

    private static LocalCloud cloud;
    private static DynamoJobStore store;

    @BeforeAll
    static void startDynamo() {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "index-test", 0, 0, 0));
        store = new DynamoJobStore(cloud.dynamo(), cloud.jobsTable(), cloud.idempotencyTable(), Duration.ofDays(7),
                new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static Job newJob(Instant deadline) {
        Job job = Job.queued(JobIds.next(), "tenant-a", Tier.STANDARD, new ChatCompletionRequest("m",
                List.of(ChatMessage.of("user", "hi")), 0.0, null, 8, null, null, null), null, T0, deadline);
        store.create(job);
        return job;
    }

    private static Map<String, AttributeValue> item(String id) {
        return cloud.dynamo().getItem(b -> b.tableName(cloud.jobsTable())
                .key(Map.of(DynamoJobStore.ID, AttributeValue.fromS(id))).consistentRead(true)).item();
    }

    /** Which sparse index the job is in now: {@code lease}, {@code queued}, or {@code none}. */
    private static String indexedAs(String id) {
        Map<String, AttributeValue> item = item(id);
        boolean leased = item.containsKey(DynamoJobStore.LEASE_SHARD);
        boolean queued = item.containsKey(DynamoJobStore.QUEUED_SHARD);
        assertThat(leased && queued).as("never in both indexes").isFalse();
        return leased ? "lease" : queued ? "queued" : "none";
    }

    private static List<String> lapsedIds(Instant before) {
        return store.lapsedLeases(before, 1000).stream().map(Overdue::id).toList();
    }

    private static List<String> overdueIds(Instant before) {
        return store.pastDeadline(before, 1000).stream().map(Overdue::id).toList();
    }

    @Test
    void queuedThenClaimedThenReleasedThenSucceeded_movesBetweenTheIndexesAndLeavesBoth() {
        Job job = newJob(T0.plus(Duration.ofHours(1)));
        assertThat(indexedAs(job.id())).isEqualTo("queued");
        assertThat(overdueIds(T0.plus(Duration.ofHours(2)))).contains(job.id());

        store.claim(job.id(), "w1", T0, T0.plus(LEASE));
        assertThat(indexedAs(job.id())).isEqualTo("lease");
        assertThat(lapsedIds(T0.plus(LEASE).plusMillis(1))).contains(job.id());
        assertThat(lapsedIds(T0.plus(LEASE))).as("not before the lease ends").doesNotContain(job.id());
        assertThat(overdueIds(T0.plus(Duration.ofHours(2)))).doesNotContain(job.id());

        store.extendLease(job.id(), "w1", T0.plus(LEASE).plus(LEASE));
        assertThat(lapsedIds(T0.plus(LEASE).plusMillis(1))).as("the index follows the extended lease")
                .doesNotContain(job.id());

        store.release(job.id(), "w1");
        assertThat(indexedAs(job.id())).isEqualTo("queued");

        store.claim(job.id(), "w2", T0, T0.plus(LEASE));
        store.succeed(job.id(), "w2", ChatCompletion.of("c", T0.getEpochSecond(), "m", "ok", "stop", Usage.of(1, 1)),
                T0.plusSeconds(5));
        assertThat(indexedAs(job.id())).isEqualTo("none");
        assertThat(lapsedIds(T0.plus(Duration.ofDays(1)))).doesNotContain(job.id());
    }

    @Test
    void everyFinalTransition_leavesBothIndexes() {
        Job failed = newJob(T0.plus(Duration.ofHours(1)));
        store.claim(failed.id(), "w1", T0, T0.plus(LEASE));
        store.fail(failed.id(), "w1", JobError.server("engine_error", "boom"), T0.plusSeconds(1));

        Job deadLettered = newJob(T0.plus(Duration.ofHours(1)));
        store.failUnfinished(deadLettered.id(), JobError.server("dead_lettered", "gone"), T0.plusSeconds(1));

        Job cancelledQueued = newJob(T0.plus(Duration.ofHours(1)));
        store.cancel(cancelledQueued.id(), "tenant-a", T0.plusSeconds(1));

        Job cancelledRunning = newJob(T0.plus(Duration.ofHours(1)));
        store.claim(cancelledRunning.id(), "w1", T0, T0.plus(LEASE));
        store.cancel(cancelledRunning.id(), "tenant-a", T0.plusSeconds(1));

        Job expired = newJob(T0.plusSeconds(10));
        assertThat(store.expire(expired.id(), T0.plusSeconds(11))).isTrue();

        for (Job job : List.of(failed, deadLettered, cancelledQueued, cancelledRunning, expired)) {
            assertThat(store.find(job.id()).orElseThrow().status().isFinal()).isTrue();
            assertThat(indexedAs(job.id())).as(job.id()).isEqualTo("none");
        }
    }

    @Test
    void reclaim_holdsOnlyForTheExactLapsedLease_andPutsTheJobBackInTheQueuedIndex() {
        Job job = newJob(T0.plus(Duration.ofHours(1)));
        store.claim(job.id(), "dead", T0, T0.plus(LEASE));
        Instant after = T0.plus(LEASE).plusSeconds(1);

        assertThat(store.reclaim(job.id(), "dead", T0.plus(LEASE), T0.plus(LEASE).minusSeconds(1)))
                .as("lease still live").isFalse();
        assertThat(store.reclaim(job.id(), "other", T0.plus(LEASE), after)).as("another owner's lease").isFalse();
        assertThat(store.reclaim(job.id(), "dead", T0.plus(LEASE).plusMillis(1), after)).as("another lease end")
                .isFalse();
        assertThat(indexedAs(job.id())).isEqualTo("lease");

        assertThat(store.reclaim(job.id(), "dead", T0.plus(LEASE), after)).isTrue();
        assertThat(store.reclaim(job.id(), "dead", T0.plus(LEASE), after)).as("only once").isFalse();

        Job reclaimed = store.find(job.id()).orElseThrow();
        assertThat(reclaimed.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(reclaimed.leaseOwner()).isNull();
        assertThat(reclaimed.leaseUntil()).isNull();
        assertThat(indexedAs(job.id())).isEqualTo("queued");
    }

    @Test
    void expire_refusesAJobBeforeItsDeadline_aLiveLease_andAFinishedJob() {
        Job early = newJob(T0.plus(Duration.ofHours(1)));
        assertThat(store.expire(early.id(), T0.plusSeconds(1))).isFalse();

        Job running = newJob(T0.plusSeconds(10));
        store.claim(running.id(), "w1", T0, T0.plus(LEASE));
        assertThat(store.expire(running.id(), T0.plusSeconds(20))).as("live lease").isFalse();
        assertThat(store.expire(running.id(), T0.plus(LEASE).plusSeconds(1))).as("lapsed lease").isTrue();
        assertThat(store.expire(running.id(), T0.plus(LEASE).plusSeconds(2))).as("already final").isFalse();
        assertThat(store.claim(running.id(), "w2", T0.plus(LEASE).plusSeconds(3), T0.plus(LEASE).plus(LEASE)))
                .as("an expired job is never claimed").isEmpty();
        assertThat(indexedAs(running.id())).isEqualTo("none");
    }

    @Test
    void queries_spanEveryShard_andStopAtTheLimit() {
        List<String> ids = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> newJob(T0.minus(Duration.ofDays(400)).plusSeconds(i)).id()).toList();
        // Twenty ids land in more than one of the four shards (the shard is a hash of the id).
        assertThat(ids.stream().map(id -> item(id).get(DynamoJobStore.QUEUED_SHARD).s()).distinct().count())
                .isGreaterThan(1);

        assertThat(overdueIds(T0.minus(Duration.ofDays(399)))).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(store.pastDeadline(T0.minus(Duration.ofDays(399)), 7)).hasSize(7);
        assertThat(store.pastDeadline(T0.minus(Duration.ofDays(399)), 7)).allSatisfy(overdue -> {
            assertThat(overdue.tier()).isEqualTo(Tier.STANDARD);
            assertThat(overdue.deadline()).isBefore(T0.minus(Duration.ofDays(399)));
        });
    }
}
