package dev.spillway.capacity.hotset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** A skewed stream: 200,000 requests over 50,000 prompts with Zipf popularity (exponent 1.1), as chat traffic has. */
class HeavyHittersTest {

    private static final int KEYS = 50_000;
    private static final int DRAWS = 200_000;

    @Test
    void countMin_neverUnderCounts_andOverCountsByAtMostEpsilonN_forAllButADeltaShareOfKeys() {
        double epsilon = 0.001;
        double delta = 0.01;
        CountMinSketch sketch = CountMinSketch.withError(epsilon, delta);
        long[] truth = new long[KEYS];
        Random random = new Random(17);
        double[] cumulative = zipf(KEYS, 1.1);
        for (int i = 0; i < DRAWS; i++) {
            int key = draw(cumulative, random);
            truth[key]++;
            sketch.add(key, 1);
        }

        assertThat(sketch.width()).as("ceil(e / epsilon)").isEqualTo(2719);
        assertThat(sketch.depth()).as("ceil(ln(1 / delta))").isEqualTo(5);
        assertThat(sketch.total()).isEqualTo(DRAWS);
        long beyondBound = 0;
        for (int key = 0; key < KEYS; key++) {
            long error = sketch.estimate(key) - truth[key];
            assertThat(error).as("key %d is never under-counted", key).isNotNegative();
            if (error > epsilon * DRAWS) {
                beyondBound++;
            }
        }
        assertThat(beyondBound).as("keys over-counted by more than epsilon x N").isLessThanOrEqualTo(
                (long) (delta * KEYS));
    }

    @Test
    void topK_recoversTheTrueHeavyHitters_inOrder() {
        HeavyHitters hitters = new HeavyHitters(20, CountMinSketch.withError(0.001, 0.01));
        long[] truth = new long[KEYS];
        Random random = new Random(23);
        double[] cumulative = zipf(KEYS, 1.1);
        for (int i = 0; i < DRAWS; i++) {
            int key = draw(cumulative, random);
            truth[key]++;
            hitters.add(key);
        }

        long[] trueTop10 = LongStream.range(0, KEYS).boxed()
                .sorted((a, b) -> Long.compare(truth[(int) (long) b], truth[(int) (long) a]))
                .limit(10).mapToLong(Long::longValue).toArray();
        long[] foundTop10 = hitters.top().stream().limit(10).mapToLong(Map.Entry::getKey).toArray();
        assertThat(foundTop10).containsExactly(trueTop10);
        assertThat(hitters.top()).hasSize(20).allSatisfy(entry -> assertThat(entry.getValue())
                .isBetween(truth[(int) (long) entry.getKey()], truth[(int) (long) entry.getKey()] + 200));
    }

    @Test
    void decay_halvesTheCounts_soANewFavouriteOvertakesAnOldOne() {
        HeavyHitters hitters = new HeavyHitters(1, new CountMinSketch(64, 3));
        for (int i = 0; i < 100; i++) {
            hitters.add(1);
        }
        hitters.decay();
        for (int i = 0; i < 60; i++) {
            hitters.add(2);
        }

        assertThat(hitters.top()).extracting(Map.Entry::getKey).containsExactly(2L);
        assertThat(hitters.sketch().estimate(1)).isEqualTo(50);
    }

    private static double[] zipf(final int keys, final double exponent) {
        double[] cumulative = new double[keys];
        double sum = 0;
        for (int rank = 1; rank <= keys; rank++) {
            sum += 1 / Math.pow(rank, exponent);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < keys; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static int draw(final double[] cumulative, final Random random) {
        int index = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(cumulative.length - 1, index >= 0 ? index : -index - 1);
    }
}
