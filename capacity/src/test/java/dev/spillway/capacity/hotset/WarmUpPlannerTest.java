package dev.spillway.capacity.hotset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WarmUpPlannerTest {

    /** 100 hot keys, key i asked 1000 - i times. */
    private final List<Map.Entry<Long, Long>> hottest = new ArrayList<>();

    {
        for (long key = 0; key < 100; key++) {
            hottest.add(Map.entry(key, 1000 - key));
        }
    }

    @Test
    void jobsPerHourBudget_holdsInEveryClockHour_whateverIsExpiring() {
        WarmUpPlanner planner = new WarmUpPlanner(30);
        Map<Long, Integer> perHour = new HashMap<>();

        for (double now = 0; now < 5 * 3600; now += 300) {
            // nothing is ever cached: every key always wants a re-run
            List<Long> chosen = planner.pick(now, hottest, key -> Double.NEGATIVE_INFINITY, now + 600);
            perHour.merge((long) (now / 3600), chosen.size(), Integer::sum);
        }

        assertThat(perHour).hasSize(5).allSatisfy((hour, count) -> assertThat(count).isEqualTo(30));
        assertThat(planner.picked()).isEqualTo(150);
    }

    @Test
    void pick_takesTheHottestWhoseEntryExpiresBeforeTheHorizon() {
        WarmUpPlanner planner = new WarmUpPlanner(3);
        // even keys are fresh until 10,000 s, odd ones expire at 500 s
        List<Long> chosen = planner.pick(0, hottest, key -> key % 2 == 0 ? 10_000 : 500, 900);

        assertThat(chosen).containsExactly(1L, 3L, 5L);
        assertThat(planner.pick(100, hottest, key -> 500, 900)).as("the hour's budget is spent").isEmpty();
    }
}
