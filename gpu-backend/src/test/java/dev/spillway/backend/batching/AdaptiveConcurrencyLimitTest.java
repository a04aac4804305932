package dev.spillway.backend.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import dev.spillway.core.upstream.UpstreamException;
import dev.spillway.local.emulators.ScriptedUpstream;

/** The controller fed observations one by one (time under the test's control), and its probe against a fake vLLM. */
class AdaptiveConcurrencyLimitTest {

    private static final Duration COOLDOWN = Duration.ofSeconds(1);
    private static final Duration FAST = Duration.ofMillis(100);

    private final SteppedClock clock = new SteppedClock();

    private AdaptiveConcurrencyLimit limit(int min, int initial, int max) {
        return new AdaptiveConcurrencyLimit("test", new AdaptiveLimitSettings(min, initial, max, 0.9, 2.0, 0.5,
                COOLDOWN), clock);
    }

    private static UpstreamException refusal(String code) {
        return UpstreamException.retryable(code, "scripted", null, null);
    }

    @Test
    void serverReportingWaitingRequests_shrinksTheLimit() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);

        limit.onServerLoad(new ServerLoad(3, 8, 0.5));

        assertThat(limit.limit()).isEqualTo(4);
        assertThat(limit.followsServerLoad()).isTrue();
    }

    @Test
    void serverWithANearlyFullKvCache_shrinksTheLimit() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);

        limit.onServerLoad(new ServerLoad(0, 8, 0.95));

        assertThat(limit.limit()).isEqualTo(4);
    }

    @Test
    void idleServer_growsTheLimitUpToTheMaximumAndNoFurther() {
        AdaptiveConcurrencyLimit limit = limit(1, 2, 16);

        limit.onServerLoad(new ServerLoad(0, 2, 0.2));
        assertThat(limit.limit()).isEqualTo(3);
        for (int i = 0; i < 50; i++) {
            limit.onServerLoad(new ServerLoad(0, 2, 0.2));
        }

        assertThat(limit.limit()).isEqualTo(16);
    }

    @Test
    void repeatedCongestionWithinTheCooldown_countsOnce_andNeverGoesBelowTheMinimum() {
        AdaptiveConcurrencyLimit limit = limit(2, 16, 16);

        // a burst of refusals at one moment is one signal
        limit.onCallFinished(FAST, 0, refusal("upstream_rate_limited"));
        limit.onCallFinished(FAST, 0, refusal("upstream_rate_limited"));
        assertThat(limit.limit()).isEqualTo(8);

        // later refusals cut again, down to the minimum
        for (int i = 0; i < 10; i++) {
            clock.advance(COOLDOWN);
            limit.onServerLoad(new ServerLoad(5, 2, 0.99));
        }
        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void withoutMetrics_fastCompletionsGrowTheLimitByOnePerLimitsWorth() {
        AdaptiveConcurrencyLimit limit = limit(1, 4, 16);

        // completions at the best latency seen add 1/limit each: five take 4 past 5
        for (int i = 0; i < 5; i++) {
            limit.onCallFinished(FAST, 10, null);
        }

        assertThat(limit.limit()).isEqualTo(5);
        assertThat(limit.followsServerLoad()).isFalse();
    }

    @Test
    void withoutMetrics_429s503sAndTimeoutsShrinkTheLimit_butABadRequestDoesNot() {
        AdaptiveConcurrencyLimit limit = limit(1, 16, 16);

        limit.onCallFinished(FAST, 0, UpstreamException.permanent("upstream_rejected", "bad request"));
        assertThat(limit.limit()).isEqualTo(16);
        limit.onCallFinished(FAST, 0, refusal("upstream_rate_limited"));
        assertThat(limit.limit()).isEqualTo(8);
        clock.advance(COOLDOWN);
        limit.onCallFinished(FAST, 0, refusal("upstream_overloaded"));
        assertThat(limit.limit()).isEqualTo(4);
        clock.advance(COOLDOWN);
        limit.onCallFinished(FAST, 0, refusal("upstream_timeout"));
        assertThat(limit.limit()).isEqualTo(2);
    }

    @Test
    void withoutMetrics_completionsStayingSlowerThanUsualForTheirLength_shrinkTheLimit() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);
        usualCompletions(limit, Duration.ofMillis(100), 10);

        // three times the usual, five in a row: the median of the window is past the tolerance (2x)
        completions(limit, LatencyBaselines.WINDOW, Duration.ofMillis(300), 10);

        assertThat(limit.limit()).isEqualTo(4);
    }

    @Test
    void withoutMetrics_anOccasionalSlowCompletion_doesNotShrinkTheLimit() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);
        usualCompletions(limit, Duration.ofMillis(100), 10);

        // one in three ten times slower, as on a noisy network: never the median
        for (int i = 0; i < 30; i++) {
            limit.onCallFinished(Duration.ofMillis(i % 3 == 0 ? 1000 : 100), 10, null);
            clock.advance(COOLDOWN);
        }

        assertThat(limit.limit()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void withoutMetrics_shortAndLongAnswersAtASteadyPace_doNotShrinkTheLimit() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);

        // 5 tokens in 0.5 s (mostly the time to the first token) and 500 tokens in 10 s: five times apart per
        // token, yet neither is slow for its length
        for (int i = 0; i < 40; i++) {
            limit.onCallFinished(i % 2 == 0 ? Duration.ofMillis(500) : Duration.ofSeconds(10), i % 2 == 0 ? 5 : 500,
                    null);
            clock.advance(COOLDOWN);
        }

        assertThat(limit.limit()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void withoutMetrics_aServerSlowerForGood_becomesTheNewUsual() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);
        usualCompletions(limit, Duration.ofMillis(100), 10);

        // three times slower from now on (a bigger model, longer prompts): the limit shrinks at first, then the
        // usual catches up and the limit grows again
        completions(limit, 20, Duration.ofMillis(300), 10);
        assertThat(limit.limit()).isLessThan(8);
        completions(limit, 300, Duration.ofMillis(300), 10);

        assertThat(limit.limit()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void lengthGroups_keepAnswers25PercentApartInDifferentGroups_andGrowWithLength() {
        for (int tokens = 1; tokens <= 4000; tokens++) {
            int group = LatencyBaselines.groupOf(tokens);
            assertThat(LatencyBaselines.groupOf((int) Math.ceil(tokens * 1.25))).as("%d tokens", tokens)
                    .isGreaterThan(group);
            assertThat(LatencyBaselines.groupOf(tokens + 1)).isGreaterThanOrEqualTo(group);
        }
        assertThat(LatencyBaselines.groupOf(0)).isEqualTo(LatencyBaselines.groupOf(1));
    }

    /** {@code count} completions of one latency and length, a cooldown apart. */
    private void completions(AdaptiveConcurrencyLimit limit, int count, Duration latency, int tokens) {
        for (int i = 0; i < count; i++) {
            limit.onCallFinished(latency, tokens, null);
            clock.advance(COOLDOWN);
        }
    }

    /** A length group's first completions, which set its usual latency (and change nothing else). */
    private static void usualCompletions(AdaptiveConcurrencyLimit limit, Duration latency, int tokens) {
        int before = limit.limit();
        for (int i = 0; i < LatencyBaselines.WARM_UP; i++) {
            limit.onCallFinished(latency, tokens, null);
        }
        assertThat(limit.limit()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void withServerMetrics_latencyNoLongerSteers_butRefusalsStillDo() {
        AdaptiveConcurrencyLimit limit = limit(1, 8, 16);
        limit.onServerLoad(new ServerLoad(0, 4, 0.5)); // 8 -> 10
        limit.onCallFinished(Duration.ofMillis(100), 10, null);

        limit.onCallFinished(Duration.ofMillis(1000), 10, null); // ten times slower: the server says all is well
        assertThat(limit.limit()).isEqualTo(10);

        limit.onCallFinished(FAST, 0, refusal("upstream_rate_limited"));
        assertThat(limit.limit()).isEqualTo(5);
    }

    @Test
    void probe_followsAFakeVllmsMetrics_andAServerWithoutMetricsLeavesLatencyControl() {
        try (ScriptedUpstream vllm = new ScriptedUpstream(); ScriptedUpstream api = new ScriptedUpstream()) {
            URI metrics = VllmMetricsProbe.metricsUriFor(URI.create(vllm.baseUrl()));
            AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit("vllm",
                    new AdaptiveLimitSettings(1, 8, 16, 0.9, 2.0, 0.5, Duration.ZERO), Clock.systemUTC());

            // GIVEN a server reporting queued requests
            vllm.reportLoad(4, 16, 0.97);
            limit.followMetricsAt(metrics, Duration.ofMillis(20));
            try {
                // THEN the limit falls to its minimum
                await().atMost(Duration.ofSeconds(30)).until(() -> limit.limit() == 1);
                assertThat(limit.followsServerLoad()).isTrue();

                // WHEN it drains, THEN the limit climbs back to its maximum
                vllm.reportLoad(0, 1, 0.1);
                await().atMost(Duration.ofSeconds(30)).until(() -> limit.limit() == 16);
            } finally {
                limit.close();
            }

            // AND a server without a metrics page reports nothing
            VllmMetricsProbe withoutMetrics = new VllmMetricsProbe(
                    VllmMetricsProbe.metricsUriFor(URI.create(api.baseUrl())), Duration.ofSeconds(1), limit);
            assertThat(withoutMetrics.probe()).isEmpty();
            withoutMetrics.close();
        }
    }

    @Test
    void parse_readsVllmGaugesSummedOverLabelSets_inOldAndNewNames() {
        String page = """
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
                vllm:num_requests_waiting{engine="1",model_name="m"} 1.0
                vllm:num_requests_running{engine="0",model_name="m"} 7.0
                vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.42
                vllm:gpu_cache_usage_perc{engine="1",model_name="m"} 0.61
                vllm:num_requests_waiting_by_reason{reason="x"} 99.0
                """;

        assertThat(VllmMetricsProbe.parse(page)).contains(new ServerLoad(3, 7, 0.61));
        assertThat(VllmMetricsProbe.parse("process_cpu_seconds_total 12.0\n")).isEmpty();
    }

    @Test
    void metricsUriFor_dropsTheOpenAiPathFromTheBaseUrl() {
        assertThat(VllmMetricsProbe.metricsUriFor(URI.create("http://gpu:8000/v1")))
                .isEqualTo(URI.create("http://gpu:8000/metrics"));
        assertThat(VllmMetricsProbe.metricsUriFor(URI.create("http://gpu:8000/v1/")))
                .isEqualTo(URI.create("http://gpu:8000/metrics"));
        assertThat(VllmMetricsProbe.metricsUriFor(URI.create("http://gpu:8000")))
                .isEqualTo(URI.create("http://gpu:8000/metrics"));
    }

    /** A clock that moves only when the test says. */
    private static final class SteppedClock extends Clock {

        private Instant now = Instant.parse("2026-11-01T00:00:00Z");

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
