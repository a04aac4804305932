package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.chat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.config.NoticeConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.intake.JobWaiter;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Waiting for jobs through the real notice channel and job store, without holding the waiting thread. */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
class JobWaiterTest {

    @Inject
    JobWaiter waiter;
    @Inject
    JobStore store;
    @Inject
    CompletionNotices notices;
    @Inject
    NoticeConfig noticeConfig;
    @Inject
    RedisDataSource redis;
    @Inject
    ApiKeyStore keys;

    @BeforeEach
    void emptyQueuesAndAuthenticate() {
        IntakeFixture.purgeQueues();
        IntakeFixture.authenticate(keys);
    }

    private Job queuedJob(String content) {
        String id = given().contentType(ContentType.JSON).body(chat(content)).post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
        return store.find(id).orElseThrow();
    }

    /** A watch that receives notices: a test before may have restarted Redis, and the subscription comes back. */
    private CompletionNotices.Watch liveWatch(String jobId) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            CompletionNotices.Watch watch = notices.watch(jobId);
            if (!watch.live()) {
                watch.close();
            }
            return watch;
        }, CompletionNotices.Watch::live);
    }

    @Test
    void manyWaits_startedFromOneThread_areAllWatchedAtOnce_andEachEndsWithItsFinishedJob() throws Exception {
        // GIVEN a hundred queued jobs
        List<Job> queued = IntStream.range(0, 100).mapToObj(i -> queuedJob("wait for me " + i)).toList();

        // WHEN this one thread starts a wait on each
        List<CompletableFuture<Job>> waits = queued.stream()
                .map(job -> waiter.await(job, Duration.ofSeconds(60)).subscribe().asCompletionStage()
                        .toCompletableFuture())
                .toList();

        // THEN every wait is registered while none has ended: starting one never held the thread
        assertThat(queued).allMatch(job -> notices.isWatched(job.id()));
        assertThat(waits).noneMatch(CompletableFuture::isDone);

        // AND each ends with its job once a worker finishes it
        for (Job job : queued) {
            IntakeFixture.finish(store, redis, job.id(), "finished " + job.id());
        }
        for (int i = 0; i < queued.size(); i++) {
            Job done = waits.get(i).get(30, TimeUnit.SECONDS);
            assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.result().choices().get(0).message().content()).isEqualTo("finished " + done.id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queued.stream().noneMatch(j -> notices.isWatched(j.id())));
    }

    @Test
    void aJobAnnouncedJustBeforeTheWaitBegan_isAnsweredWithinABudgetShorterThanTheSafetyReads() throws Exception {
        // GIVEN a caller holding a queued copy of a job whose notice this process received a moment ago (the
        // job finished between the caller's read and its wait)
        Job stale = queuedJob("finished before you waited");
        try (CompletionNotices.Watch earlier = liveWatch(stale.id())) {
            IntakeFixture.finish(store, redis, stale.id(), "done already");
            earlier.notified().get(10, TimeUnit.SECONDS);
        }
        Duration budget = noticeConfig.liveReadInterval().dividedBy(2);

        // WHEN it waits with notices live, for less than the interval of the safety reads
        Job answered = waiter.await(stale, budget).await().atMost(budget.plusSeconds(20));

        // THEN it gets the finished job, not the copy it held when the budget ran out
        assertThat(answered.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(answered.result().choices().get(0).message().content()).isEqualTo("done already");
    }
}
