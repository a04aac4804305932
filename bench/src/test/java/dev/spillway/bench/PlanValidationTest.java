package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class PlanValidationTest {

    @Test
    void serviceTime_isTheGapBetweenStartsWhileWorkWaits_andDispatchTheWaitOfJobsThatFoundTheWorkerIdle() {
        // GIVEN a worker whose cycle is 0.25 s and whose idle pick-up takes 0.03 s: three jobs sent together,
        // then two that each find it idle
        List<PlanValidation.Replayed> replay = List.of(
                new PlanValidation.Replayed(0, 0.03),
                new PlanValidation.Replayed(0.001, 0.28),
                new PlanValidation.Replayed(0.002, 0.53),
                new PlanValidation.Replayed(0.01, 0.78),
                new PlanValidation.Replayed(0.02, 1.03),
                new PlanValidation.Replayed(0.02, 1.28),
                new PlanValidation.Replayed(5, 5.03),
                new PlanValidation.Replayed(9, 9.04));

        Double[] cycles = PlanValidation.cycles(replay);
        double dispatch = PlanValidation.dispatchSeconds(replay, 0.25);

        // known for the five jobs another waited behind; the last of the burst and the two lone jobs went idle
        assertThat(Arrays.copyOf(cycles, 5)).allSatisfy(cycle -> assertThat(cycle).isCloseTo(0.25, offset(1e-9)));
        assertThat(Arrays.copyOfRange(cycles, 5, 8)).containsOnlyNulls();
        // the first job found it idle too: 0.03, 0.03, 0.04
        assertThat(dispatch).isCloseTo(0.03, offset(1e-9));
    }

    @Test
    void validationTrace_isReadByTheTraceParser_andTheQuickFormIsItsFirstPart() throws Exception {
        assertThat(PlanValidation.trace(false)).hasSize(54);
        assertThat(PlanValidation.trace(true)).hasSize(40).allMatch(request -> request.arrival() < 18);
    }
}
