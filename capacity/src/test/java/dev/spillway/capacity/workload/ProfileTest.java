package dev.spillway.capacity.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ProfileTest {

    private static final Profile.Parameters BASE_2 = new Profile.Parameters(2, "m", new TierMix(1, 2, 1), 500, 300,
            6, 7);

    @Test
    void surge10x_arrivesAtTenTimesTheBaseRateForTwoHours() {
        Profile surge = new Profile(Profile.Shape.SURGE10X, BASE_2);

        int[] perPhase = new int[3];
        surge.requests().forEachRemaining(request -> {
            for (int i = 0; i < 3; i++) {
                if (surge.phases().get(i).contains(request.arrival())) {
                    perPhase[i]++;
                }
            }
        });

        // Poisson counts: 7,200, 144,000 and 21,600 expected; three standard deviations at most ~1%
        assertThat(perPhase[0]).isBetween(6_950, 7_450);
        assertThat(perPhase[1]).isBetween(142_860, 145_140);
        assertThat(perPhase[2]).isBetween(21_160, 22_040);
        assertThat(surge.duration()).isEqualTo(6 * 3600.0);
    }

    @Test
    void daily_peaksInTheAfternoonAndKeepsTheBaseRateOnAverage() {
        Profile daily = new Profile(Profile.Shape.DAILY, BASE_2);

        assertThat(daily.rateAt(14 * 3600)).isCloseTo(3.6, offset(1e-9));
        assertThat(daily.rateAt(2 * 3600)).isCloseTo(0.4, offset(1e-9));
        long count = 0;
        for (var it = daily.requests(); it.hasNext(); it.next()) {
            count++;
        }
        assertThat(count).isBetween(172_800L - 1_300, 172_800L + 1_300);
    }

    @Test
    void sameParameters_giveTheSameRequests_andTiersFollowTheMix() {
        Profile steady = new Profile(Profile.Shape.STEADY, BASE_2);

        List<Request> first = new ArrayList<>();
        List<Request> second = new ArrayList<>();
        steady.requests().forEachRemaining(first::add);
        steady.requests().forEachRemaining(second::add);

        assertThat(first).isEqualTo(second);
        long standard = first.stream().filter(r -> r.tier() == Tier.STANDARD).count();
        assertThat((double) standard / first.size()).isBetween(0.49, 0.51);
        double meanOutput = first.stream().mapToInt(Request::outputTokens).average().orElseThrow();
        assertThat(meanOutput).isBetween(290.0, 310.0);
    }

    @Test
    void unknownProfile_namesTheKnownOnes() {
        assertThatThrownBy(() -> Profile.Shape.ofLabel("weekly"))
                .hasMessage("no profile named 'weekly': the profiles are steady, surge10x, daily");
    }
}
