package dev.spillway.functions;

import static dev.spillway.functions.IntakeFixture.deterministicChat;
import static dev.spillway.functions.IntakeFixture.storedJobs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.Sha256;
import dev.spillway.core.admission.IntakeRequest;
import dev.spillway.core.admission.RequestChecks;
import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeyStore;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.Caller;
import dev.spillway.core.auth.WarmUp;
import dev.spillway.core.cache.CachePolicy;
import dev.spillway.core.cache.redis.InFlightRequests;
import dev.spillway.core.cache.warmup.HotPrompt;
import dev.spillway.core.cache.warmup.WarmUpTask;
import dev.spillway.core.cache.warmup.redis.RedisHotSets;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobStatus;
import dev.spillway.core.job.JobStore;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Hot-set warm-up at run time: the intake records the cacheable requests of opted-in keys in a Count-Min sketch and
 * top-k per tenant in Redis, and the scheduler's warm-up task re-runs the hot prompts whose entries expire within its
 * horizon as the tenant's batch jobs, within the tenant's budget. Real Redis, ElasticMQ and DynamoDB emulator.
 */
@QuarkusTest
@QuarkusTestResource(SpillwayTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmUpTest {

    private static final Duration HORIZON = Duration.ofMinutes(10);

    @Inject
    ApiKeyStore keys;
    @Inject
    JobStore store;
    @Inject
    RedisDataSource redis;
    @Inject
    RedisHotSets hotSets;
    @Inject
    WarmUpTask warmUp;
    @Inject
    RequestChecks checks;
    @Inject
    InFlightRequests inFlight;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void emptyQueues() {
        IntakeFixture.purgeQueues();
    }

    @Test
    void requests_ofAnOptedInKey_areCounted_andThoseOfOtherKeysAreNot() {
        // GIVEN a tenant whose key opted in and one whose key did not
        String warm = optedIn("rec-warm-" + System.nanoTime(), 10);
        String cold = IntakeFixture.newKey(keys, "rec-cold-" + System.nanoTime(), Set.of(), 0, 0);
        String prompt = deterministicChat("counted " + System.nanoTime());

        // WHEN each asks the same prompt three times
        String warmKey = null;
        String coldKey = null;
        for (int i = 0; i < 3; i++) {
            warmKey = cacheKeyOf(submit(warm, prompt));
            coldKey = cacheKeyOf(submit(cold, prompt));
        }

        // THEN the opted-in tenant's hot set counts 3 under its own key; the other tenant has no hot set at all
        String opted = tenantOf(warm);
        String finalWarmKey = warmKey;
        await().atMost(Duration.ofSeconds(10)).until(() -> hotSets.estimate(opted, finalWarmKey) == 3);
        assertThat(hotSets.top(opted)).extracting(HotPrompt::cacheKey).containsExactly(warmKey);
        assertThat(hotSets.body(opted, warmKey)).hasValue(prompt);
        assertThat(hotSets.top(tenantOf(cold))).isEmpty();
        assertThat(hotSets.total(tenantOf(cold))).isZero();
        assertThat(hotSets.tenants(Instant.EPOCH)).contains(opted).doesNotContain(tenantOf(cold));
        assertThat(coldKey).isNotEqualTo(warmKey);
    }

    @Test
    void redisSketch_onASkewedStream_neverUnderestimates_andStaysWithinItsBound_andTheTopKHoldsTheHeavyHitters() {
        // GIVEN a Zipf (exponent 1.1) stream of 10,000 requests over 500 prompts of one tenant
        String tenant = "zipf-" + System.nanoTime();
        int distinct = 500;
        int requests = 10_000;
        double[] cumulative = new double[distinct];
        double sum = 0;
        for (int rank = 0; rank < distinct; rank++) {
            sum += 1 / Math.pow(rank + 1, 1.1);
            cumulative[rank] = sum;
        }
        Random random = new Random(17);
        Map<String, Long> truth = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            double draw = random.nextDouble() * sum;
            int rank = 0;
            while (cumulative[rank] < draw) {
                rank++;
            }
            String cacheKey = Sha256.hex("prompt " + rank);
            truth.merge(cacheKey, 1L, Long::sum);
            // WHEN each is recorded in Redis as the intake records it
            hotSets.record(tenant, cacheKey, "{\"rank\":" + rank + "}", Instant.now());
        }

        // THEN no estimate is below the true count, and at least 1 - delta of them are within epsilon x N above it
        double epsilon = 0.01;
        double delta = 0.01;
        assertThat(hotSets.total(tenant)).isEqualTo(requests);
        int withinBound = 0;
        for (Map.Entry<String, Long> entry : truth.entrySet()) {
            long estimate = hotSets.estimate(tenant, entry.getKey());
            assertThat(estimate).isGreaterThanOrEqualTo(entry.getValue());
            if (estimate - entry.getValue() <= epsilon * requests) {
                withinBound++;
            }
        }
        assertThat((double) withinBound / truth.size()).isGreaterThanOrEqualTo(1 - delta);
        assertThat(hotSets.shape().width()).isEqualTo(272);
        assertThat(hotSets.shape().depth()).isEqualTo(5);

        // AND the top 50 holds the 20 truly most requested prompts, hottest first, each with its body
        List<String> trueTop = truth.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(20)
                .map(Map.Entry::getKey).toList();
        List<HotPrompt> top = hotSets.top(tenant);
        assertThat(top).hasSize(50);
        assertThat(top).extracting(HotPrompt::cacheKey).containsAll(trueTop);
        assertThat(top.get(0).cacheKey()).isEqualTo(trueTop.get(0));
        assertThat(hotSets.body(tenant, trueTop.get(0))).hasValue("{\"rank\":0}");
        assertThat(redis.execute("HLEN", "spillway:hot:{" + Sha256.hex(tenant).substring(0, 32) + "}:bodies")
                .toInteger()).isEqualTo(50);
    }

    @Test
    void twoTicksAtOnce_spendNoMoreThanTheBudget_andWarmNoPromptTwice() throws Exception {
        // GIVEN a tenant with a budget of 3 jobs an hour and 8 hot prompts whose entries are gone
        String tenant = tenantOf(optedIn("budget-" + System.nanoTime(), 3));
        List<String> hot = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            hot.add(recordHot(tenant, "budget prompt " + i + " " + System.nanoTime(), 8 - i));
        }
        int jobsBefore = storedJobs();

        // WHEN two ticks run at once
        Instant now = Instant.now();
        CyclicBarrier start = new CyclicBarrier(2);
        CompletableFuture<List<Job>> first = CompletableFuture.supplyAsync(() -> tickAfter(start, now));
        CompletableFuture<List<Job>> second = CompletableFuture.supplyAsync(() -> tickAfter(start, now));
        List<Job> warmed = new ArrayList<>(first.get());
        warmed.addAll(second.get());

        // THEN 3 batch jobs of the tenant were made between them, each for a different hot prompt, and the budget is
        // spent; a third tick in the same hour makes none
        assertThat(warmed).hasSize(3);
        assertThat(warmed).extracting(Job::cacheKey).doesNotHaveDuplicates().allMatch(hot::contains);
        assertThat(warmed).allSatisfy(job -> {
            assertThat(job.tenant()).isEqualTo(tenant);
            assertThat(job.tier()).isEqualTo(Tier.BATCH);
            assertThat(store.find(job.id()).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        });
        assertThat(storedJobs()).isEqualTo(jobsBefore + 3);
        assertThat(hotSets.spent(tenant, now.getEpochSecond() / 3600)).isEqualTo(3);
        assertThat(warmUp.warm(now, HORIZON)).noneMatch(job -> job.tenant().equals(tenant));
    }

    @Test
    void warm_takesOnlyEntriesExpiringWithinTheHorizon_andSkipsThoseAlreadyInFlight() {
        // GIVEN three hot prompts: one whose entry has 30 minutes left, one with 2 minutes left, one gone but with a
        // caller's job in flight for it
        String tenant = tenantOf(optedIn("horizon-" + System.nanoTime(), 100));
        String lasting = recordHot(tenant, "lasting " + System.nanoTime(), 3);
        String expiring = recordHot(tenant, "expiring " + System.nanoTime(), 2);
        String inFlightKey = recordHot(tenant, "in flight " + System.nanoTime(), 1);
        redis.value(String.class).setex("spillway:cache:" + lasting, Duration.ofMinutes(30).toSeconds(), "{}");
        redis.value(String.class).setex("spillway:cache:" + expiring, Duration.ofMinutes(2).toSeconds(), "{}");
        String callersJob = submitQueuedJobFor(tenant);
        assertThat(inFlight.claim(inFlightKey, callersJob, Duration.ofMinutes(10))).isEmpty();

        // WHEN the tick warms with a 10-minute horizon, then (ahead of a predicted peak) with an hour
        Instant now = Instant.now();
        List<Job> tenMinutes = ofTenant(warmUp.warm(now, HORIZON), tenant);
        List<Job> anHour = ofTenant(warmUp.warm(now, Duration.ofHours(1)), tenant);

        // THEN the first takes only the entry about to expire, the wider one the lasting entry too, and neither the
        // prompt a caller's job is already answering
        assertThat(tenMinutes).extracting(Job::cacheKey).containsExactly(expiring);
        assertThat(anHour).extracting(Job::cacheKey).containsExactly(lasting);
    }

    @Test
    void aWarmedEntry_isACacheHitAfterwards_forItsTenantOnly() throws Exception {
        // GIVEN two opted-in tenants who asked the same prompt and got their answers; alice's is cached for 5 more
        // minutes, bob's has expired
        String alice = optedIn("alice-" + System.nanoTime(), 10);
        String bob = optedIn("bob-" + System.nanoTime(), 10);
        String prompt = deterministicChat("warm me " + System.nanoTime());
        Response alicesJob = submit(alice, prompt);
        String aliceKey = cacheKeyOf(alicesJob);
        submit(alice, prompt);
        Response bobsJob = submit(bob, prompt);
        String bobKey = cacheKeyOf(bobsJob);
        IntakeFixture.finish(store, redis, alicesJob.jsonPath().getString("id"), "first answer");
        IntakeFixture.finish(store, redis, bobsJob.jsonPath().getString("id"), "first answer");
        redis.execute("DEL", "spillway:cache:" + bobKey);
        await().atMost(Duration.ofSeconds(10)).until(() -> hotSets.estimate(tenantOf(alice), aliceKey) == 2
                && hotSets.estimate(tenantOf(bob), bobKey) == 1);
        IntakeFixture.purgeQueues();

        // WHEN the warm-up tick runs, and the worker finishes what reaches the batch queue
        List<Job> warmed = warmUp.warm(Instant.now(), HORIZON);
        Job alicesWarmUp = ofTenant(warmed, tenantOf(alice)).get(0);
        Job bobsWarmUp = ofTenant(warmed, tenantOf(bob)).get(0);
        Set<String> finished = new HashSet<>();
        while (!finished.containsAll(Set.of(alicesWarmUp.id(), bobsWarmUp.id()))) {
            String jobId = json.readTree(await().atMost(Duration.ofSeconds(10))
                    .until(() -> IntakeFixture.receive("batch"), Optional::isPresent).orElseThrow().body())
                    .get("job").asText();
            IntakeFixture.finish(store, redis, jobId, "warmed for " + store.find(jobId).orElseThrow().tenant());
            finished.add(jobId);
        }

        // THEN each tenant had one batch job for its own cache key, and its prompt is now answered from the cache with
        // the answer warmed for it
        assertThat(ofTenant(warmed, tenantOf(alice))).singleElement().satisfies(job -> {
            assertThat(job.cacheKey()).isEqualTo(aliceKey);
            assertThat(job.tier()).isEqualTo(Tier.BATCH);
        });
        assertThat(ofTenant(warmed, tenantOf(bob))).singleElement().extracting(Job::cacheKey).isEqualTo(bobKey);
        for (String key : List.of(alice, bob)) {
            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).header("Prefer", "wait=5")
                    .body(prompt).post("/v1/chat/completions")
                    .then().statusCode(200).header("X-Spillway-Cache", "hit-l2")
                    .body("choices[0].message.content", equalTo("warmed for " + tenantOf(key)));
        }
    }

    @Test
    void aTenantWhoseKeysNoLongerOptIn_isForgotten_andNotWarmed() {
        // GIVEN a tenant with a hot prompt, whose key then turns warm-up off
        String key = optedIn("quitter-" + System.nanoTime(), 10);
        String tenant = tenantOf(key);
        recordHot(tenant, "quitter prompt " + System.nanoTime(), 5);
        keys.setWarmUp(ApiKeys.hash(key), WarmUp.OFF);

        // WHEN the tick runs
        List<Job> warmed = warmUp.warm(Instant.now(), HORIZON);

        // THEN nothing is warmed for it and its hot set is gone
        assertThat(ofTenant(warmed, tenant)).isEmpty();
        assertThat(hotSets.top(tenant)).isEmpty();
        assertThat(hotSets.tenants(Instant.EPOCH)).doesNotContain(tenant);
    }

    @Test
    void decay_halvesEveryCountOncePerPeriod_howeverManyTicksRunInIt() {
        // GIVEN a prompt asked 9 times and another asked once
        String tenant = "decay-" + System.nanoTime();
        String hot = recordHot(tenant, "decaying " + System.nanoTime(), 9);
        String once = recordHot(tenant, "asked once " + System.nanoTime(), 1);

        // WHEN two ticks of the same period decay it, and one of the next period
        boolean first = hotSets.decay(tenant, 100, 3600);
        boolean second = hotSets.decay(tenant, 100, 3600);
        long afterOnePeriod = hotSets.estimate(tenant, hot);
        hotSets.decay(tenant, 101, 3600);

        // THEN only the first of each period halves, and what fell to zero leaves the sketch but stays a candidate
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(afterOnePeriod).isEqualTo(4);
        assertThat(hotSets.estimate(tenant, hot)).isEqualTo(2);
        assertThat(hotSets.estimate(tenant, once)).isZero();
        assertThat(hotSets.total(tenant)).isEqualTo(2);
        assertThat(hotSets.top(tenant)).extracting(HotPrompt::estimate).containsExactly(2L, 0L);
    }

    /** Runs last: it stops the Redis server every test here shares. */
    @Test
    @Order(Integer.MAX_VALUE)
    void recording_whenRedisIsDown_doesNotFailTheRequest() {
        String key = optedIn("redis-down-" + System.nanoTime(), 10);
        var redisServer = SpillwayTestResource.cloud().redis().orElseThrow();
        redisServer.stop();
        try {
            int jobsBefore = storedJobs();

            given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).header("Prefer", "wait=0")
                    .body(deterministicChat("no redis " + System.nanoTime())).post("/v1/chat/completions")
                    .then().statusCode(202).body("status", equalTo("queued"));

            assertThat(storedJobs()).isEqualTo(jobsBefore + 1);
        } finally {
            redisServer.start();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> hotSets.total("probe") == 0);
        }
    }

    private String optedIn(String tenant, int jobsPerHour) {
        String key = ApiKeys.generate();
        keys.put(new ApiKey(ApiKeys.hash(key), tenant, Tier.INTERACTIVE, Set.of(), 0, 0, Instant.now(), null,
                WarmUp.jobsPerHour(jobsPerHour)));
        return key;
    }

    private String tenantOf(String key) {
        return keys.find(ApiKeys.hash(key)).orElseThrow().tenant();
    }

    private Response submit(String key, String body) {
        Response response = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .header("Prefer", "wait=0").body(body).post("/v1/chat/completions");
        response.then().statusCode(202);
        return response;
    }

    private String cacheKeyOf(Response queued) {
        return store.find(queued.jsonPath().getString("id")).orElseThrow().cacheKey();
    }

    /** Records a valid request of the tenant {@code times} times; returns its cache key, as the intake makes it. */
    private String recordHot(String tenant, String content, int times) {
        String body = deterministicChat(content);
        String cacheKey = checks.check(IntakeRequest.noWait(new Caller(tenant, Tier.BATCH, null),
                body.getBytes(StandardCharsets.UTF_8), CachePolicy.DEFAULT, Tier.BATCH, null)).cacheKey();
        for (int i = 0; i < times; i++) {
            hotSets.record(tenant, cacheKey, body, Instant.now());
        }
        return cacheKey;
    }

    /** A queued job of the tenant, standing for a caller's request in flight. */
    private String submitQueuedJobFor(String tenant) {
        String key = ApiKeys.generate();
        keys.put(new ApiKey(ApiKeys.hash(key), tenant, Tier.INTERACTIVE, Set.of(), 0, 0, Instant.now(), null,
                WarmUp.jobsPerHour(100)));
        return submit(key, deterministicChat("a caller's own " + System.nanoTime())).jsonPath().getString("id");
    }

    private List<Job> tickAfter(CyclicBarrier start, Instant now) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return warmUp.warm(now, HORIZON);
    }

    private static List<Job> ofTenant(List<Job> jobs, String tenant) {
        return jobs.stream().filter(job -> job.tenant().equals(tenant)).toList();
    }
}
