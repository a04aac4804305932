package dev.spillway.core.eta;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.spillway.core.config.EtaConfig;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.QueueDepth;

/** The estimate's arithmetic, from given queue depths and worker reports. */
class FinishEstimatorTest {

    private static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");
    private static final EtaConfig CONFIG = new EtaConfig() {
        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Duration coldStart() {
            return Duration.ofMinutes(7);
        }

        @Override
        public Duration defaultServiceTime() {
            return Duration.ofSeconds(30);
        }

        @Override
        public int coldFleetSlots() {
            return 4;
        }

        @Override
        public Duration reportInterval() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration reportMaxAge() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration window() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Duration readingTtl() {
            return Duration.ofSeconds(1);
        }
    };

    private final FinishEstimator estimator = new FinishEstimator(null, null, null, CONFIG, null);

    private static FinishEstimator.Reading reading(long interactive, long standard, long batch, long inFlight,
            DrainReport... reports) {
        Map<Tier, QueueDepth> depths = new EnumMap<>(Tier.class);
        depths.put(Tier.INTERACTIVE, new QueueDepth("f", Tier.INTERACTIVE, interactive, inFlight));
        depths.put(Tier.STANDARD, new QueueDepth("f", Tier.STANDARD, standard, 0));
        depths.put(Tier.BATCH, new QueueDepth("f", Tier.BATCH, batch, 0));
        return new FinishEstimator.Reading(NOW, depths, List.of(reports));
    }

    /** A worker of 4 slots that finished 24 jobs of 2 s each in the last minute. */
    private static DrainReport busyWorker(String id) {
        return new DrainReport(id, 4, 24, Duration.ofSeconds(60), Duration.ofSeconds(2), NOW.minusSeconds(3));
    }

    @Test
    void aFreeSlotAndNothingAhead_isOneServiceTime() {
        assertThat(estimator.wait(reading(0, 0, 0, 1, busyWorker("w")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aSteadyBacklog_isTheTurnOfTheJobPlusItsServiceTime() {
        // 12 ahead + 4 in flight + itself, at 4 slots / 2 s = 2 per second: 8.5 s
        assertThat(estimator.wait(reading(12, 0, 0, 4, busyWorker("w")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(8500));
        // a second worker doubles the drain rate
        assertThat(estimator.wait(reading(12, 0, 0, 4, busyWorker("a"), busyWorker("b")), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(4250));
    }

    @Test
    void onlyHigherAndEqualTiersAreAhead() {
        DrainReport worker = busyWorker("w");
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(4500));
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.STANDARD, NOW))
                .isEqualTo(Duration.ofMillis(9500));
        assertThat(estimator.wait(reading(4, 10, 100, 4, worker), Tier.BATCH, NOW))
                .isEqualTo(Duration.ofMillis(59500));
    }

    @Test
    void aFleetWithNoLiveWorker_addsAColdStart() {
        DrainReport stale = new DrainReport("gone", 4, 24, Duration.ofSeconds(60), Duration.ofSeconds(2),
                NOW.minusSeconds(31));
        // no measurement: the default 30 s service time on the assumed 4 slots
        assertThat(estimator.wait(reading(0, 0, 0, 0, stale), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMinutes(7).plusSeconds(2));
        assertThat(estimator.wait(reading(0, 0, 0, 0), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMinutes(7).plusSeconds(30));
    }

    @Test
    void aSurgeThatJustBegan_drainsAtTheFleetsCapacity_notAtTheQuietMinutesRate() {
        // one completion in the last minute (0.017/s), but 4 slots of 2 s each can do 2 per second
        DrainReport quiet = new DrainReport("w", 4, 1, Duration.ofSeconds(60), Duration.ofSeconds(2),
                NOW.minusSeconds(1));
        assertThat(estimator.wait(reading(15, 0, 0, 4, quiet), Tier.INTERACTIVE, NOW))
                .isEqualTo(Duration.ofMillis(10000));
    }
}
