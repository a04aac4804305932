package dev.spillway.backend.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.backend.engine.Generation;
import dev.spillway.backend.engine.openai.OpenAiEngineSettings;
import dev.spillway.backend.engine.openai.OpenAiHttpEngine;
import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.upstream.UpstreamException;
import dev.spillway.local.emulators.ScriptedUpstream;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The batcher in front of the real OpenAI-compatible engine, calling a real loopback server (ScriptedUpstream):
 * batch sizes are read from the batch-size metric, capacity from the calls the server receives.
 */
class DynamicBatcherTest {

    private static final String MODEL = "scripted";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ScriptedUpstream upstream;
    private static Vertx vertx;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<DynamicBatcher> batchers = new ArrayList<>();

    @BeforeAll
    static void startUpstream() {
        upstream = new ScriptedUpstream();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void closeBatchers() {
        upstream.releaseHeld();
        batchers.forEach(DynamicBatcher::close);
    }

    private DynamicBatcher batcher(EngineCapacity capacity, int maxBatchSize, int maxBatchTokens, Duration maxWait) {
        OpenAiHttpEngine engine = new OpenAiHttpEngine(new OpenAiEngineSettings(URI.create(upstream.baseUrl()),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(5), Duration.ofSeconds(60)), vertx);
        DynamicBatcher batcher = new DynamicBatcher(MODEL, engine, capacity,
                new BatchPolicy(maxBatchSize, maxBatchTokens, maxWait, 16), new SpillwayMetrics(registry));
        batchers.add(batcher);
        return batcher;
    }

    private DistributionSummary batchSizes() {
        return registry.get("spillway.batch.size").tag("model", MODEL).summary();
    }

    private static ChatCompletionRequest request(String content, int maxTokens) {
        return new ChatCompletionRequest(MODEL, List.of(ChatMessage.of("user", content)), 0.0, null, maxTokens, null,
                null, null);
    }

    private static int callsOf(List<String> contents) {
        return contents.stream().mapToInt(upstream::calls).sum();
    }

    private static String answer(CompletableFuture<Generation> outcome) throws Exception {
        return outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).content();
    }

    @Test
    void batchesFillUpToTheMaxBatchSizeAndLeaveAsSoonAsFull() throws Exception {
        // GIVEN room for 8 in the engine, batches of at most 3, and a wait far longer than the test
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(8), 3, 100_000, Duration.ofMinutes(10));
        List<String> contents = IntStream.range(0, 6).mapToObj(i -> "hold full-batch " + i).toList();

        // WHEN six requests arrive
        List<CompletableFuture<Generation>> outcomes = contents.stream().map(c -> batcher.submit(request(c, 8)))
                .toList();

        // THEN two full batches of three started without waiting out max-wait, and each request got its own answer
        await().atMost(PATIENCE).until(() -> callsOf(contents) == 6);
        assertThat(batchSizes().count()).isEqualTo(2);
        assertThat(batchSizes().max()).isEqualTo(3.0);
        upstream.releaseHeld();
        for (int i = 0; i < 6; i++) {
            assertThat(answer(outcomes.get(i))).isEqualTo("echo: " + contents.get(i));
        }
    }

    @Test
    void theTokenBudgetCutsBatchesShorterThanTheMaxBatchSize() throws Exception {
        // GIVEN batches of up to 8 requests but 250 tokens, and requests of about 100 tokens each
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(8), 8, 250, Duration.ofMillis(200));

        // WHEN six arrive
        List<CompletableFuture<Generation>> outcomes = IntStream.range(0, 6)
                .mapToObj(i -> batcher.submit(request("budget " + i, 100))).toList();

        // THEN all complete, in batches of at most two
        for (int i = 0; i < 6; i++) {
            assertThat(answer(outcomes.get(i))).isEqualTo("echo: budget " + i);
        }
        assertThat(batchSizes().max()).isEqualTo(2.0);
        assertThat(batchSizes().totalAmount()).isEqualTo(6.0);
        assertThat(batchSizes().count()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aLoneRequestCompletesWithoutMates() throws Exception {
        // GIVEN room for a batch of 8 and a few milliseconds of max-wait
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(8), 8, 100_000, Duration.ofMillis(5));

        // WHEN one request comes alone, THEN it is answered in a batch of one
        assertThat(answer(batcher.submit(request("alone", 8)))).isEqualTo("echo: alone");
        assertThat(batchSizes().count()).isEqualTo(1);
        assertThat(batchSizes().max()).isEqualTo(1.0);
    }

    @Test
    void whenTheEngineHasRoomForOneRequest_itStartsWithoutWaitingForMates() throws Exception {
        // GIVEN an engine with room for one request and a max-wait far longer than the test's patience
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(1), 8, 100_000, Duration.ofMinutes(10));

        // WHEN a request comes, THEN it is answered: waiting could not have filled the batch any further
        assertThat(answer(batcher.submit(request("room for one", 8)))).isEqualTo("echo: room for one");
    }

    @Test
    void aFailingRequestFailsAloneAndItsBatchMatesSucceed() throws Exception {
        // GIVEN one batch of three whose middle request the server rejects
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(3), 3, 100_000, Duration.ofMinutes(10));

        // WHEN
        CompletableFuture<Generation> first = batcher.submit(request("isolated mate 1", 8));
        CompletableFuture<Generation> rejected = batcher.submit(request("fail:400 isolated", 8));
        CompletableFuture<Generation> last = batcher.submit(request("isolated mate 2", 8));

        // THEN only that one fails, with the server's reason
        assertThat(answer(first)).isEqualTo("echo: isolated mate 1");
        assertThat(answer(last)).isEqualTo("echo: isolated mate 2");
        ExecutionException failure = catchThrowableOfType(ExecutionException.class,
                () -> rejected.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(UpstreamException.class);
        assertThat(((UpstreamException) failure.getCause()).retryable()).isFalse();
        assertThat(batchSizes().count()).isEqualTo(1);
        assertThat(batchSizes().max()).isEqualTo(3.0);
    }

    @Test
    void requestsInFlightNeverExceedTheEngineCapacity() throws Exception {
        // GIVEN an engine with room for two, and five requests the server holds until released
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(2), 8, 100_000, Duration.ZERO);
        List<String> contents = IntStream.range(0, 5).mapToObj(i -> "hold capacity " + i).toList();
        List<CompletableFuture<Generation>> outcomes = contents.stream().map(c -> batcher.submit(request(c, 8)))
                .toList();

        // THEN the server sees them two at a time: the rest wait in the batcher until places free up
        await().atMost(PATIENCE).until(() -> callsOf(contents) == 2);
        assertThat(batcher.waiting()).isEqualTo(3);
        assertThat(registry.get("spillway.engine.inflight").tag("model", MODEL).gauge().value()).isEqualTo(2.0);
        upstream.releaseHeld();
        await().atMost(PATIENCE).until(() -> callsOf(contents) == 4);
        assertThat(batcher.waiting()).isEqualTo(1);
        upstream.releaseHeld();
        await().atMost(PATIENCE).until(() -> callsOf(contents) == 5);
        upstream.releaseHeld();
        for (int i = 0; i < 5; i++) {
            assertThat(answer(outcomes.get(i))).isEqualTo("echo: " + contents.get(i));
        }
    }

    @Test
    void aRequestCancelledWhileWaiting_neverReachesTheEngine() throws Exception {
        // GIVEN an engine busy with one held request, and a second request waiting for its place
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(1), 8, 100_000, Duration.ZERO);
        CompletableFuture<Generation> running = batcher.submit(request("hold busy engine", 8));
        await().atMost(PATIENCE).until(() -> upstream.calls("hold busy engine") == 1);
        CompletableFuture<Generation> waiting = batcher.submit(request("cancelled while waiting", 8));

        // WHEN the waiting one is cancelled and the engine then frees up
        waiting.cancel(true);
        upstream.releaseHeld();

        // THEN the engine never sees it
        assertThat(answer(running)).isEqualTo("echo: hold busy engine");
        assertThat(answer(batcher.submit(request("after the cancelled one", 8))))
                .isEqualTo("echo: after the cancelled one");
        assertThat(waiting).isCancelled();
        assertThat(upstream.calls("cancelled while waiting")).isZero();
    }

    @Test
    void aRequestCancelledWhileRunning_freesItsPlaceForTheNext() throws Exception {
        // GIVEN an engine with room for one, busy with a request the server holds
        DynamicBatcher batcher = batcher(EngineCapacity.fixed(1), 8, 100_000, Duration.ZERO);
        CompletableFuture<Generation> running = batcher.submit(request("hold then cancelled", 8));
        await().atMost(PATIENCE).until(() -> upstream.calls("hold then cancelled") == 1);

        // WHEN it is cancelled (a job drained or lost), while the server still holds it
        running.cancel(true);

        // THEN the next request gets its place and is answered
        assertThat(answer(batcher.submit(request("next in line", 8)))).isEqualTo("echo: next in line");
        assertThat(running).isCancelled();
    }

    @Test
    void anOpenAiEngineBehindTheAdaptiveLimit_shrinksItsLimitOnA429() throws Exception {
        // GIVEN the adaptive limit as the engine's capacity, starting at 4
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(MODEL,
                new AdaptiveLimitSettings(1, 4, 16, 0.9, 2.0, 0.5, Duration.ofMinutes(1)), Clock.systemUTC());
        DynamicBatcher batcher = batcher(limit, 8, 100_000, Duration.ofMillis(5));

        // WHEN the server answers 429
        ExecutionException failure = catchThrowableOfType(ExecutionException.class,
                () -> batcher.submit(request("fail:429 slow down", 8)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));

        // THEN the job sees a retryable error and the batcher keeps fewer requests in flight
        assertThat(((UpstreamException) failure.getCause()).retryable()).isTrue();
        assertThat(batcher.inFlightLimit()).isEqualTo(2);
        assertThat(registry.get("spillway.engine.inflight.limit").tag("model", MODEL).gauge().value()).isEqualTo(2.0);
    }
}
