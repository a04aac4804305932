package dev.spillway.functions.events.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.core.api.ChatCompletionRequest;
import dev.spillway.core.api.ChatMessage;
import dev.spillway.core.cache.warmup.WarmUpConfig;
import dev.spillway.core.cache.warmup.WarmUpTask;
import dev.spillway.core.forecast.ArrivalCounter;
import dev.spillway.core.forecast.ArrivalHistory;
import dev.spillway.core.forecast.Arrivals;
import dev.spillway.core.forecast.ArrivalsTask;
import dev.spillway.core.forecast.FleetFloor;
import dev.spillway.core.forecast.FleetForecast;
import dev.spillway.core.forecast.FleetForecasts;
import dev.spillway.core.forecast.ForecastConfig;
import dev.spillway.core.forecast.ForecastTask;
import dev.spillway.core.forecast.Intervals;
import dev.spillway.core.forecast.PrescaleConfig;
import dev.spillway.core.forecast.Prescaler;
import dev.spillway.core.forecast.Series;
import dev.spillway.core.forecast.dynamo.DynamoArrivalHistory;
import dev.spillway.core.job.Job;
import dev.spillway.core.job.JobIds;
import dev.spillway.core.job.Tier;
import dev.spillway.core.metrics.EmbeddedMetrics;
import dev.spillway.core.metrics.SpillwayMetrics;
import dev.spillway.core.queue.Fleets;
import dev.spillway.local.emulators.SpillwayTestResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The runtime half of predictive capacity on real Redis and the DynamoDB emulator: arrivals counted on admission and
 * recorded per interval, the forecast of a recorded series, and the fleet minimum pre-scaling sets from it.
 */
@QuarkusTest
@TestProfile(ForecastRuntimeTest.SchedulerFunction.class)
@QuarkusTestResource(value = SpillwayTestResource.class, restrictToAnnotatedClass = true)
class ForecastRuntimeTest {

    /** The scheduler function, whose tasks these are. */
    public static class SchedulerFunction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the warm-up looks far enough ahead to see the recorded cosine's first rise
            return Map.of("quarkus.lambda.handler", "scheduler", "spillway.warmup.peak-lead", "PT6H");
        }
    }

    private static final Duration INTERVAL = Duration.ofMinutes(5);
    private static final int DAY = 288;

    @Inject
    ArrivalCounter counter;
    @Inject
    ArrivalHistory history;
    @Inject
    ArrivalsTask recorder;
    @Inject
    FleetForecasts forecasts;
    @Inject
    Fleets fleets;
    @Inject
    ForecastConfig forecastConfig;
    @Inject
    PrescaleConfig prescaleConfig;
    @Inject
    Prescaler prescaler;
    @Inject
    WarmUpTask warmUp;
    @Inject
    WarmUpConfig warmUpConfig;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Job job(Tier tier) {
        return Job.queued(JobIds.next(), "tenant-a", tier, new ChatCompletionRequest("test-model",
                List.of(ChatMessage.of("user", "hi")), 0.0, null, 8, null, null, null), null, Instant.now(),
                Instant.now().plus(Duration.ofHours(1)));
    }

    @Test
    void admittedJobs_areRecordedOncePerInterval_byTwoTicksAtOnce_andSurviveARestart() throws Exception {
        // GIVEN three interactive jobs and one standard job admitted in the interval that started 10 minutes ago
        Instant interval = Intervals.startOf(Instant.now(), INTERVAL).minus(Duration.ofMinutes(10));
        Arrivals arrivals = new Arrivals(counter, fleets, forecastConfig,
                Clock.fixed(interval.plusSeconds(61), ZoneOffset.UTC));
        for (int i = 0; i < 3; i++) {
            arrivals.admitted(job(Tier.INTERACTIVE));
        }
        arrivals.admitted(job(Tier.STANDARD));
        String fleet = fleets.of("test-model");

        // WHEN two scheduler ticks run at the same moment, after the interval has settled
        Instant tick = interval.plus(INTERVAL).plus(forecastConfig.settle()).plusSeconds(1);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<CompletableFuture<Integer>> ticks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ticks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    together.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return recorder.record(tick);
            }, pool));
        }
        int written = ticks.get(0).get() + ticks.get(1).get();
        pool.shutdown();

        // THEN every settled interval of the catch-up window (each tier of each fleet) was written exactly once ...
        long intervals = Duration.between(Intervals.startOf(interval.minus(forecastConfig.catchUp()), INTERVAL),
                interval).dividedBy(INTERVAL) + 1;
        assertThat(written).isEqualTo(intervals * Tier.values().length * fleets.names().size());
        assertThat(recorder.record(tick)).isZero();
        // ... and a scheduler started afresh (a new adapter on the same table) reads the counts back
        DynamoArrivalHistory restarted = new DynamoArrivalHistory(SpillwayTestResource.cloud().dynamo(),
                SpillwayTestResource.cloud().arrivalsTable());
        Instant end = interval.plus(INTERVAL);
        assertThat(restarted.read(new Series(fleet, Tier.INTERACTIVE), interval, end)).containsExactly(
                Map.entry(interval, 3L));
        assertThat(restarted.read(new Series(fleet, Tier.STANDARD), interval, end)).containsExactly(
                Map.entry(interval, 1L));
        assertThat(restarted.read(new Series(fleet, Tier.BATCH), interval, end)).containsExactly(
                Map.entry(interval, 0L));
    }

    /** A clean daily cosine, trough at midnight (slot 0) and peak at noon: 200 to 1000 jobs per 5 minutes. */
    private static long cosine(int slot) {
        return Math.round(600 - 400 * Math.cos(2 * Math.PI * slot / DAY));
    }

    /** Records three days of the cosine, split over two tiers, ending at {@code midnight}. */
    private void recordThreeDays(String fleet, Instant midnight) {
        Instant first = midnight.minus(Duration.ofDays(3));
        Instant expires = Instant.now().plus(Duration.ofDays(1));
        for (int i = 0; i < 3 * DAY; i++) {
            long count = cosine(i % DAY);
            Instant start = first.plus(INTERVAL.multipliedBy(i));
            history.record(new Series(fleet, Tier.STANDARD), start, count - count / 4, expires);
            history.record(new Series(fleet, Tier.BATCH), start, count / 4, expires);
        }
    }

    @Test
    void forecast_ofARecordedDailyCosine_isTheCosine_andItsNextRiseIsWhereMoreTasksAreNeeded() throws Exception {
        // GIVEN three recorded days of a daily cosine on the fleet test-model runs on, ending at a midnight
        String fleet = fleets.of("test-model");
        Instant midnight = Instant.now().minus(Duration.ofDays(20)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        recordThreeDays(fleet, midnight);
        Instant now = midnight.plus(forecastConfig.settle()).plusSeconds(1);

        // WHEN the scheduler forecasts the fleet just after that midnight
        FleetForecast forecast = forecasts.forecast(fleet, now).orElseThrow();

        // THEN the next six hours are the cosine's, interval by interval
        assertThat(forecast.firstStart()).isEqualTo(midnight);
        assertThat(forecast.arrivals()).hasSize(72);
        for (int h = 0; h < 72; h++) {
            assertThat(forecast.arrivals().get(h)).as("interval %d", h).isCloseTo(cosine(h), within(1e-6));
        }
        // and the first interval needing more tasks than midnight's is the first whose rate needs one more task
        int tasksAtMidnight = tasks(cosine(0));
        int rise = 1;
        while (tasks(cosine(rise)) <= tasksAtMidnight) {
            rise++;
        }
        assertThat(forecasts.nextRise("test-model", Duration.ofHours(6), now))
                .contains(midnight.plus(INTERVAL.multipliedBy(rise)));
        assertThat(forecasts.nextRise("test-model", INTERVAL.multipliedBy(rise - 1), now)).isEmpty();

        // and the warm-up, seeing that rise within its peak lead, warms now what would expire before it (plus its
        // horizon); with no recorded history it keeps its own horizon
        assertThat(warmUp.horizonAt(now)).isEqualTo(Duration.between(now, midnight.plus(INTERVAL.multipliedBy(rise)))
                .plus(warmUpConfig.horizon()));
        assertThat(warmUp.horizonAt(midnight.minus(Duration.ofDays(60)))).isEqualTo(warmUpConfig.horizon());

        // and the scheduler's forecast task publishes the next interval's expectation: an EMF line and a gauge
        List<String> lines = new ArrayList<>();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SpillwayMetrics metrics = new SpillwayMetrics(registry,
                new EmbeddedMetrics(true, "Spillway", Clock.systemUTC(), lines::add));
        new ForecastTask(forecasts, prescaler, fleets, forecastConfig, prescaleConfig, metrics).run(now);
        JsonNode line = JSON.readTree(lines.stream().filter(l -> l.contains("ForecastArrivals")).findFirst()
                .orElseThrow());
        assertThat(line.path("Fleet").asText()).isEqualTo(fleet);
        assertThat(line.path("ForecastArrivals").asDouble()).isCloseTo(cosine(0), within(1e-6));
        assertThat(registry.get("spillway.forecast.arrivals").tag("fleet", fleet).gauge().value())
                .isCloseTo(cosine(0), within(1e-6));
    }

    /** Tasks for an interval's arrivals: rate x headroom / one task's rate, as docs/capacity.md states. */
    private int tasks(long arrivals) {
        double perSecond = arrivals / (double) INTERVAL.toSeconds();
        return (int) Math.ceil(perSecond * prescaleConfig.headroom()
                * prescaleConfig.meanProcessing().toMillis() / 1000.0 - 1e-9);
    }

    /** A fleet's floor as a list of the minimums set: our own port's simplest adapter, to watch what is asked. */
    private static final class RecordingFloor implements FleetFloor {
        private final Bounds bounds;
        private final List<Integer> minimums = new ArrayList<>();

        RecordingFloor(Bounds bounds) {
            this.bounds = bounds;
        }

        @Override
        public Optional<Bounds> bounds(String fleet) {
            return Optional.of(bounds);
        }

        @Override
        public void setMinimum(String fleet, int tasks) {
            minimums.add(tasks);
        }
    }

    @Test
    void prescaler_raisesTheMinimumToTheForecastsNeed_neverAboveTheMaximum_andAWrongForecastCostsAtMostTheBudget() {
        // GIVEN a forecast that needs a rising number of tasks within the cold start (recorded days of the cosine)
        String fleet = "prescaled";
        Instant midnight = Instant.now().minus(Duration.ofDays(40)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        recordThreeDays(fleet, midnight);
        Instant now = midnight.plus(forecastConfig.settle()).plusSeconds(1);
        FleetForecast forecast = forecasts.forecast(fleet, now).orElseThrow();
        int lead = (int) Math.ceil((Duration.between(forecast.firstStart(), now).toSeconds()
                + prescaleConfig.coldStart().plus(prescaleConfig.metricLag()).toSeconds()) / (double) INTERVAL.toSeconds());
        int mostInLead = 0;
        for (int h = 0; h <= lead; h++) {
            mostInLead = Math.max(mostInLead, tasks(cosine(h)));
        }
        int needed = mostInLead;

        // WHEN pre-scaling decides for a fleet of 0 to 40 tasks, and for one of at most 1
        RecordingFloor roomy = new RecordingFloor(new FleetFloor.Bounds(0, 40));
        Prescaler.Decision decision = new Prescaler(forecasts, history, roomy, prescaleConfig).apply(fleet, Optional.of(forecast), now)
                .orElseThrow();
        RecordingFloor small = new RecordingFloor(new FleetFloor.Bounds(0, 1));
        new Prescaler(forecasts, history, small, prescaleConfig).apply(fleet + "-small", Optional.of(forecast), now)
                .orElseThrow();

        // THEN the minimum is what the forecast needs a cold start ahead, capped at the maximum
        assertThat(needed).isGreaterThan(1);
        assertThat(decision.forecastTasks()).isEqualTo(needed);
        assertThat(roomy.minimums).containsExactly(needed);
        assertThat(small.minimums).containsExactly(1);
        // a tick repeated at the same moment decides nothing and charges nothing
        assertThat(new Prescaler(forecasts, history, roomy, prescaleConfig).apply(fleet, Optional.of(forecast), now))
                .isEmpty();

        // WHEN the same (wrong: the peak never comes) forecast is followed minute after minute with a 1 GPU-hour budget
        PrescaleConfig oneHour = new BudgetOf(prescaleConfig, 1.0);
        RecordingFloor wrong = new RecordingFloor(new FleetFloor.Bounds(0, 40));
        double charged = 0;
        for (int minute = 0; minute < 60; minute++) {
            // a new Prescaler each minute: what it remembers is in the table, as after a restart
            Optional<Prescaler.Decision> tick = new Prescaler(forecasts, history, wrong, oneHour)
                    .apply(fleet + "-wrong", Optional.of(forecast), now.plus(Duration.ofMinutes(minute)));
            charged = tick.orElseThrow().chargedToday();
        }

        // THEN the floor was raised, came back to the deployed minimum when the budget ran out, and cost at most it
        assertThat(wrong.minimums.get(0)).isEqualTo(needed);
        assertThat(wrong.minimums).allSatisfy(minimum -> assertThat(minimum).isBetween(0, needed));
        assertThat(wrong.minimums.get(wrong.minimums.size() - 1)).isZero();
        assertThat(charged).isLessThanOrEqualTo(1.0 + 1e-9).isGreaterThan(0.5);
    }

    /** The deployment's pre-scaling settings with another budget. */
    private record BudgetOf(PrescaleConfig delegate, double gpuHoursPerDay) implements PrescaleConfig {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public double headroom() {
            return delegate.headroom();
        }

        @Override
        public Duration meanProcessing() {
            return delegate.meanProcessing();
        }

        @Override
        public Duration coldStart() {
            return delegate.coldStart();
        }

        @Override
        public Duration metricLag() {
            return delegate.metricLag();
        }

        @Override
        public Duration instanceLinger() {
            return delegate.instanceLinger();
        }

        @Override
        public Duration tick() {
            return delegate.tick();
        }
    }
}
