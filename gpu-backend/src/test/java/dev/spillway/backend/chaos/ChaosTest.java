package dev.spillway.backend.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.spillway.backend.worker.ScriptedUpstreamResource;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.intake.IntakeService;
import dev.spillway.intake.Submission;
import dev.spillway.local.emulators.RedisServer;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Downstreams fail while the intake accepts work and the worker drains it, in one process: SQS and DynamoDB
 * become unreachable for seconds (their links are cut; the emulators keep their state, as AWS does in an
 * outage), DynamoDB hangs (its link swallows requests), Redis is stopped and restarted, the engine's upstream
 * fails once per job. Each case reports accepted / refused / completed / lost / duplicated and must lose nothing
 * and duplicate nothing: every request is either refused (503) or completed exactly once.
 */
@QuarkusTest
@QuarkusTestResource(value = SpillwayTestResource.class, initArgs = {
        @ResourceArg(name = "visibilityTimeout", value = "3"), @ResourceArg(name = "maxReceiveCount", value = "50"),
        @ResourceArg(name = "faultyLinks", value = "true") },
        restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ScriptedUpstreamResource.class, restrictToAnnotatedClass = true)
@TestProfile(ChaosTest.IntakeCallTimeouts.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosTest {

    /** The intake shares this process with the worker: its SDK clients get the intake's call timeouts. */
    public static class IntakeCallTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Properties intake = new Properties();
            try (Reader in = Files.newBufferedReader(
                    Path.of("../functions/intake-lambda/src/main/resources/application.properties"))) {
                intake.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> timeouts = new HashMap<>();
            for (String key : List.of("quarkus.dynamodb.api-call-timeout", "quarkus.sqs.api-call-timeout")) {
                timeouts.put(key, Objects.requireNonNull(intake.getProperty(key), key + " in the intake's config"));
            }
            return timeouts;
        }
    }

    private static final Duration OUTAGE_STARTS = Duration.ofSeconds(2);
    private static final Duration OUTAGE = Duration.ofSeconds(3);
    /** Longer than the intake's SDK call timeout: a hung call must end while the hang lasts. */
    private static final Duration HANG = Duration.ofSeconds(8);
    private static final Duration LOAD_AFTER_OUTAGE = Duration.ofSeconds(3);
    private static final int CLIENTS = 4;

    @Inject
    IntakeService intake;
    @Inject
    JobStore store;

    @Test
    @Order(1)
    void sqsUnreachableUnderLoad_everyRequestRefusedOrCompletedOnce() throws Exception {
        Accounting result = underLoad("sqs-outage", false, n -> "sqs-outage " + n, OUTAGE,
                () -> SpillwayTestResource.sqsLink().cut(),
                () -> SpillwayTestResource.sqsLink().restore());

        result.assertNothingLostOrDuplicated();
        assertThat(SpillwayTestResource.sqsLink().refusedConnections()).as("the outage was felt").isPositive();
        assertThat(result.refused()).as("requests during the outage are refused, not acknowledged").isPositive();
    }

    @Test
    @Order(2)
    void dynamoDbUnreachableUnderLoad_everyRequestRefusedOrCompletedOnce() throws Exception {
        Accounting result = underLoad("dynamodb-outage", false, n -> "dynamodb-outage " + n, OUTAGE,
                () -> SpillwayTestResource.dynamoLink().cut(),
                () -> SpillwayTestResource.dynamoLink().restore());

        result.assertNothingLostOrDuplicated();
        assertThat(SpillwayTestResource.dynamoLink().refusedConnections()).as("the outage was felt").isPositive();
        assertThat(result.refused()).as("requests during the outage are refused, not acknowledged").isPositive();
    }

    /** Redis is an accelerator: with it gone, cacheable requests are still accepted, none refused. */
    @Test
    @Order(3)
    void redisRestartedUnderLoad_nothingRefusedLostOrDuplicated() throws Exception {
        RedisServer redis = SpillwayTestResource.cloud().redis().orElseThrow(
                () -> new AssertionError("redis-server must be installed (.ci/run installs it)"));

        Accounting result = underLoad("redis-restart", true, n -> "redis-restart " + n, OUTAGE, redis::stop,
                redis::start);

        result.assertNothingLostOrDuplicated();
        assertThat(result.refused()).isZero();
    }

    /**
     * The engine's upstream misbehaves once per job, as DeepSeek does when busy: 503, 429 with Retry-After, a body
     * cut mid-way, an answer held open with keep-alive lines. Each job is retried as needed and answered once.
     */
    @Test
    @Order(4)
    void upstreamFailingOncePerJobUnderLoad_everyJobCompletedOnce() throws Exception {
        List<String> misbehaviours = List.of("flaky:1", "ratelimit:1", "cut:1", "keepalive:3");

        Accounting result = underLoad("upstream-faults", false,
                n -> misbehaviours.get(n % misbehaviours.size()) + " upstream-faults " + n, OUTAGE, () -> {
                }, () -> {
                });

        result.assertNothingLostOrDuplicated();
        assertThat(result.refused()).isZero();
        assertThat(result.engineReruns()).as("the failed first attempts were retried").isPositive();
    }

    /**
     * DynamoDB stops answering without closing anything, as when packets are dropped: the SDK's call timeouts end
     * each hung call, so requests are refused while it hangs rather than held until it recovers.
     */
    @Test
    @Order(5)
    void dynamoDbHangingUnderLoad_refusedWhileItHangs_nothingLostOrDuplicated() throws Exception {
        Accounting result = underLoad("dynamodb-hang", false, n -> "dynamodb-hang " + n, HANG,
                () -> SpillwayTestResource.dynamoLink().stall(),
                () -> SpillwayTestResource.dynamoLink().restore());

        result.assertNothingLostOrDuplicated();
        assertThat(SpillwayTestResource.dynamoLink().hungRequests()).as("the hang was felt").isPositive();
        assertThat(result.refusedDuringOutage()).as("requests answered 503 while DynamoDB still hung").isPositive();
    }

    /** What a chaos run did to the requests sent during it. */
    record Accounting(String name, int accepted, int refused, int refusedDuringOutage, Map<String, Integer> refusals,
            int completed, int lost, long duplicated, int engineReruns, List<String> unexpected) {

        void assertNothingLostOrDuplicated() {
            System.out.printf("chaos %-16s accepted=%d refused=%d (%d during the outage) %s completed=%d lost=%d "
                    + "duplicated=%d (engine re-runs after a failed attempt: %d)%n", name, accepted, refused,
                    refusedDuringOutage, refusals, completed, lost, duplicated, engineReruns);
            assertThat(unexpected).as("every request is accepted or refused with 503").isEmpty();
            assertThat(accepted).as("work was accepted around the outage").isPositive();
            assertThat(lost).as("lost").isZero();
            assertThat(duplicated).as("duplicated").isZero();
            assertThat(completed).isEqualTo(accepted);
        }
    }

    private Accounting underLoad(String name, boolean cacheable, IntFunction<String> contentFor, Duration outage,
            Runnable breakIt, Runnable repairIt) throws Exception {
        awaitAccepting(name);
        Map<String, String> acceptedContentByJob = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger refusedDuringOutage = new AtomicInteger();
        AtomicBoolean outageOn = new AtomicBoolean();
        Map<String, Integer> refusals = new ConcurrentHashMap<>();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sequence = new AtomicInteger();
        Duration load = OUTAGE_STARTS.plus(outage).plus(LOAD_AFTER_OUTAGE);
        long stopAt = System.nanoTime() + load.toNanos();

        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                while (System.nanoTime() < stopAt) {
                    String content = contentFor.apply(sequence.incrementAndGet());
                    try {
                        Submission submission = intake.submit(IntakeRequest.noWait(Caller.anonymous("chaos"),
                                body(content, cacheable), CachePolicy.DEFAULT, Tier.INTERACTIVE, null));
                        acceptedContentByJob.put(submission.job().id(), content);
                    } catch (ApiException e) {
                        if (e.status() == 503) {
                            refused.incrementAndGet();
                            if (outageOn.get()) {
                                refusedDuringOutage.incrementAndGet();
                            }
                            refusals.merge(e.code(), 1, Integer::sum);
                        } else {
                            unexpected.add(e.status() + " " + e.getMessage());
                        }
                    } catch (RuntimeException e) {
                        unexpected.add(e.toString());
                    }
                    pause(Duration.ofMillis(20));
                }
                return null;
            }));
        }
        pause(OUTAGE_STARTS);
        breakIt.run();
        outageOn.set(true);
        try {
            pause(outage);
        } finally {
            outageOn.set(false);
            repairIt.run();
        }
        for (Future<?> client : running) {
            client.get(load.toSeconds() + 60, TimeUnit.SECONDS);
        }
        clients.shutdown();

        // Bounded: a job still unfinished after this is counted lost.
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> acceptedContentByJob.keySet().stream().allMatch(this::isFinal));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below as lost
        }
        int completed = 0;
        int lost = 0;
        int reruns = 0;
        long duplicated = 0;
        Map<String, Integer> succeeded = SucceededTransitions.byJob(SpillwayTestResource.cloud());
        for (Map.Entry<String, String> accepted : acceptedContentByJob.entrySet()) {
            int transitions = succeeded.getOrDefault(accepted.getKey(), 0);
            duplicated += Math.max(0, transitions - 1);
            Job job = store.find(accepted.getKey()).orElse(null);
            if (job != null && job.status() == JobStatus.SUCCEEDED) {
                completed++;
                // The duplicate count means something only if the stream saw every completion.
                assertThat(transitions).as("stream records of " + job.id() + " entering SUCCEEDED").isPositive();
            } else {
                lost++;
            }
            reruns += Math.max(0, ScriptedUpstreamResource.upstream().calls(accepted.getValue()) - 1);
        }
        return new Accounting(name, acceptedContentByJob.size(), refused.get(), refusedDuringOutage.get(),
                Map.copyOf(refusals), completed, lost, duplicated, reruns, List.copyOf(unexpected));
    }

    /** A case starts once the intake accepts again: a breaker opened by the previous case stays open a while. */
    private void awaitAccepting(String name) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                intake.submit(IntakeRequest.noWait(Caller.anonymous("chaos"), body(name + " warm-up", false),
                        CachePolicy.DEFAULT, Tier.INTERACTIVE, null));
                return true;
            } catch (ApiException e) {
                return false;
            }
        });
    }

    private boolean isFinal(String jobId) {
        return store.find(jobId).map(job -> job.status().isFinal()).orElse(false);
    }

    /** Sampled requests are never cached; greedy ones go through the cache and coalescing (Redis). */
    private static byte[] body(String content, boolean cacheable) {
        return ("{\"model\":\"scripted\",\"temperature\":" + (cacheable ? 0 : 1)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
