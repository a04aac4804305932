package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.deterministicChat;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.spillway.core.admission.Admission;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.cache.ResultCache;
import dev.spillway.core.cache.redis.InFlightRequests;
import dev.spillway.core.config.CacheConfig;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobError;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.notice.CompletionNotices;
import dev.spillway.intake.CacheLane;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Jobs;
import dev.spillway.intake.Submission;
import dev.spillway.intake.direct.DirectLane;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Identical cacheable requests that arrive at once share one job: within an instance, across instances through
 * Redis, and without Redis within an instance. A shared job or admission that fails answers every request
 * attached to it. Calls the intake service from many threads at once, as concurrent requests reach one long-lived
 * intake (a Lambda instance serves one invocation at a time). Runs on emulators of its own, since it stops SQS.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoalescingTest {

    private static final int BURST = 50;
    private static final Caller CALLER = Caller.anonymous("coalescing");
    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(BURST);

    @Inject
    IntakeService intake;
    @Inject
    RequestChecks checks;
    @Inject
    DirectLane directLane;
    @Inject
    Admission admission;
    @Inject
    SpillwayMetrics metrics;
    @Inject
    ResultCache cache;
    @Inject
    CacheConfig cacheConfig;
    @Inject
    InFlightRequests claims;
    @Inject
    JobStore store;
    @Inject
    Jobs jobs;
    @Inject
    CompletionNotices notices;

    @BeforeEach
    void emptyQueues() {
        IntakeFixture.purgeQueues();
    }

    @AfterAll
    static void stopClients() {
        CLIENTS.shutdownNow();
    }

    @Test
    @Order(1)
    void burstOfIdenticalRequests_makesOneJob() throws Exception {
        int jobsBefore = IntakeFixture.storedJobs();

        List<Submission> answers = burst(BURST, i -> intake, request("one instance"));

        assertOneSharedJob(answers, jobsBefore);
    }

    @Test
    @Order(2)
    void burstAcrossTwoInstances_makesOneJobThroughRedis() throws Exception {
        // GIVEN two intakes that share only Redis and the job store, as two Lambda instances do
        IntakeService first = new IntakeService(checks, new CacheLane(cache, cacheConfig, claims, store), directLane,
                admission, metrics);
        IntakeService second = new IntakeService(checks, new CacheLane(cache, cacheConfig, claims, store), directLane,
                admission, metrics);
        int jobsBefore = IntakeFixture.storedJobs();

        // WHEN half of the burst reaches each
        List<Submission> answers = burst(BURST, i -> i % 2 == 0 ? first : second, request("two instances"));

        assertOneSharedJob(answers, jobsBefore);
    }

    @Test
    @Order(3)
    void burstWithoutRedis_makesOneJobWithinTheInstance() throws Exception {
        IntakeService withoutRedis = new IntakeService(checks,
                new CacheLane(cache, new WithoutRedis(cacheConfig), claims, store), directLane, admission, metrics);
        int jobsBefore = IntakeFixture.storedJobs();

        List<Submission> answers = burst(BURST, i -> withoutRedis, request("without redis"));

        assertOneSharedJob(answers, jobsBefore);
    }

    @Test
    @Order(4)
    void sharedJobFails_everyWaitingRequestGetsTheFailure_andTheNextBurstRetriesAsOne() throws Exception {
        // GIVEN a burst attached to one job, every request waiting for it
        IntakeRequest request = request("fails");
        List<Submission> answers = burst(10, i -> intake, request);
        String jobId = answers.get(0).job().id();
        List<CompletableFuture<Job>> waiting = new ArrayList<>();
        for (Submission answer : answers) {
            waiting.add(jobs.await(answer.job(), Duration.ofSeconds(60)).subscribe().asCompletionStage()
                    .toCompletableFuture());
        }

        // WHEN the worker fails it
        Instant now = Instant.now();
        store.claim(jobId, "test-worker", now, now.plusSeconds(60)).orElseThrow();
        Job failed = store.fail(jobId, "test-worker", JobError.server("engine_failed", "the engine crashed"), now)
                .orElseThrow();
        notices.publish(failed);

        // THEN every waiting request is answered with that failure
        for (CompletableFuture<Job> waiter : waiting) {
            Job seen = waiter.get();
            assertThat(seen.id()).isEqualTo(jobId);
            assertThat(seen.status()).isEqualTo(JobStatus.FAILED);
            assertThat(seen.error().code()).isEqualTo("engine_failed");
        }
        // AND the same request sent again is retried as one new job, not one per request
        int jobsBefore = IntakeFixture.storedJobs();
        List<Submission> retried = burst(10, i -> intake, request);
        assertThat(retried.stream().map(s -> s.job().id()).distinct().toList()).hasSize(1).doesNotContain(jobId);
        assertThat(IntakeFixture.storedJobs()).isEqualTo(jobsBefore + 1);
    }

    @Test
    @Order(5)
    void sharedAdmissionFails_everyRequestOfTheBurstGetsTheRefusal() throws Exception {
        // GIVEN SQS is down
        LocalCloud cloud = SpillwayTestResource.cloud();
        int jobsBefore = IntakeFixture.storedJobs();
        IntakeRequest request = request("queue down");
        cloud.sqsServer().stop();
        try {
            // WHEN a burst of identical requests arrives
            List<Future<Submission>> sent = send(10, i -> intake, request);

            // THEN each is refused as the shared admission was: none accepted, none left waiting
            for (Future<Submission> answer : sent) {
                assertThat(answer).failsWithin(Duration.ofSeconds(60)).withThrowableOfType(Exception.class)
                        .havingRootCause().isInstanceOf(ApiException.class)
                        .matches(e -> ((ApiException) e).status() == 503, "status 503");
            }
            assertThat(IntakeFixture.storedJobs()).as("nothing left behind").isEqualTo(jobsBefore);
        } finally {
            cloud.restartSqs();
        }
    }

    private static IntakeRequest request(String content) {
        byte[] body = deterministicChat(content + " " + System.nanoTime()).getBytes();
        return IntakeRequest.noWait(CALLER, body, CachePolicy.DEFAULT, Tier.INTERACTIVE, null);
    }

    /** Sends {@code count} copies of the request at once, the {@code i}-th through {@code intakeFor(i)}. */
    private static List<Future<Submission>> send(int count, Function<Integer, IntakeService> intakeFor,
            IntakeRequest request) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Submission>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            IntakeService target = intakeFor.apply(i);
            sent.add(CLIENTS.submit(() -> {
                start.await();
                return target.submit(request);
            }));
        }
        start.countDown();
        return sent;
    }

    private static List<Submission> burst(int count, Function<Integer, IntakeService> intakeFor,
            IntakeRequest request) throws Exception {
        List<Submission> answers = new ArrayList<>();
        for (Future<Submission> answer : send(count, intakeFor, request)) {
            answers.add(answer.get());
        }
        return answers;
    }

    private static void assertOneSharedJob(List<Submission> answers, int jobsBefore) {
        Set<String> jobIds = answers.stream().map(s -> s.job().id()).collect(Collectors.toSet());
        assertThat(jobIds).as("job ids").hasSize(1);
        assertThat(answers.stream().filter(s -> s.cacheStatus().equals("miss")).count()).as("leaders").isEqualTo(1);
        assertThat(answers.stream().filter(s -> s.cacheStatus().equals("coalesced")).count())
                .isEqualTo(answers.size() - 1);
        assertThat(IntakeFixture.storedJobs()).as("jobs stored").isEqualTo(jobsBefore + 1);
        assertThat(IntakeFixture.queuedMessages()).as("messages queued").isEqualTo(1);
    }

    /** The deployment's cache settings with Redis switched off ({@code spillway.cache.l2-enabled=false}). */
    private record WithoutRedis(CacheConfig config) implements CacheConfig {
        @Override
        public boolean enabled() {
            return config.enabled();
        }

        @Override
        public long l1MaxEntries() {
            return config.l1MaxEntries();
        }

        @Override
        public Duration l1Ttl() {
            return config.l1Ttl();
        }

        @Override
        public boolean l2Enabled() {
            return false;
        }

        @Override
        public Duration l2Ttl() {
            return config.l2Ttl();
        }

        @Override
        public boolean coalesce() {
            return config.coalesce();
        }

        @Override
        public Duration coalesceAdmissionWait() {
            return config.coalesceAdmissionWait();
        }

        @Override
        public Duration inflightTtl() {
            return config.inflightTtl();
        }

        @Override
        public String l2KeyPrefix() {
            return config.l2KeyPrefix();
        }
    }
}
