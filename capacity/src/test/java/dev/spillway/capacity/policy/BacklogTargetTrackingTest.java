package dev.spillway.capacity.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.FixedSettings;
import org.junit.jupiter.api.Test;

/** Application Auto Scaling's rules, one metric period at a time; the default target is 10 visible per task. */
class BacklogTargetTrackingTest {

    private final FleetScaler visibleOnly = ScalingPolicies.VISIBLE_ONLY.newScaler(FixedSettings.of());
    private double minute;

    @Test
    void scaleOut_waitsForThreeMinutesAboveTarget_thenGoesProportionally() {
        assertThat(step(visibleOnly, 1, 35, 1).desired()).isEqualTo(1);
        assertThat(step(visibleOnly, 1, 35, 1).desired()).isEqualTo(1);

        Decision third = step(visibleOnly, 1, 35, 1);

        assertThat(third.desired()).as("ceil(1 x 35 / 10)").isEqualTo(4);
        assertThat(third.reason()).isEqualTo("target tracking: visible per task 35.0 above 10.0 for 3 min");
    }

    @Test
    void scaleOut_withinItsCooldown_onlyGoesPastTheCountThePreviousOneSet_andStopsAtMaxTasks() {
        FleetScaler scaler = ScalingPolicies.VISIBLE_ONLY.newScaler(
                settings(Map.of("scaleOutCooldownSeconds", 1800, "maxTasks", 10)));
        for (int i = 0; i < 3; i++) {
            step(scaler, 1, 35, 1);
        }
        for (int i = 0; i < 15; i++) {
            step(scaler, 4, 8, 4);
        }
        // scaled out to 4 at minute 3, in to 1 at minute 18: the cooldown runs until minute 33
        for (int i = 0; i < 3; i++) {
            assertThat(step(scaler, 1, 25, 1).desired()).as("3 is not past 4").isEqualTo(1);
        }
        assertThat(step(scaler, 1, 45, 1).desired()).as("5 is").isEqualTo(5);
        assertThat(step(scaler, 5, 400, 1).desired()).isEqualTo(10);
    }

    @Test
    void scaleIn_needsFifteenMinutesBelowNinetyPercent_thenRespectsItsCooldown() {
        for (int i = 0; i < 14; i++) {
            assertThat(step(visibleOnly, 4, 8, 4).desired()).as("minute %d", i + 1).isEqualTo(4);
        }
        Decision fifteenth = step(visibleOnly, 4, 8, 4);
        assertThat(fifteenth.desired()).as("ceil(4 x 2 / 10)").isEqualTo(1);
        assertThat(fifteenth.reason()).isEqualTo("target tracking: visible per task 2.0 below 9.0 for 15 min");

        // still below the target, with a lower datapoint: only after the 300 s scale-in cooldown
        for (int i = 0; i < 4; i++) {
            assertThat(step(visibleOnly, 1, 0, 1).desired()).isEqualTo(1);
        }
        assertThat(step(visibleOnly, 1, 0, 1).desired()).isZero();
    }

    @Test
    void fleetThatKeepsUp_looksIdleOnVisibleMessages_butNotOnInFlightOnes() {
        FleetScaler inFlight = ScalingPolicies.IN_FLIGHT.newScaler(FixedSettings.of());
        Decision visible = null;
        Decision counted = null;
        for (int i = 0; i < 15; i++) {
            FleetMetrics busy = new FleetMetrics(++minute * 60, 1, 0, 0, 6, 1, 300);
            visible = visibleOnly.decide(busy);
            counted = inFlight.decide(busy);
        }

        assertThat(visible.desired()).isZero();
        assertThat(counted.desired()).as("ceil(1 x 6 / 10)").isEqualTo(1);
    }

    @Test
    void weighted_countsInFlightWhole_andABatchBacklogATenthOfAnInteractiveOne() {
        FleetScaler interactive = ScalingPolicies.WEIGHTED.newScaler(FixedSettings.of());
        FleetScaler batch = ScalingPolicies.WEIGHTED.newScaler(FixedSettings.of());
        Decision forInteractive = null;
        Decision forBatch = null;
        for (int i = 0; i < 3; i++) {
            ++minute;
            // 100 visible and 5 in flight on one task: all interactive (weight 1), or all batch (weight 0.1)
            forInteractive = interactive.decide(new FleetMetrics(minute * 60, 1, 100, 100, 5, 1, 0));
            forBatch = batch.decide(new FleetMetrics(minute * 60, 1, 100, 10, 5, 1, 0));
        }

        assertThat(forInteractive.desired()).as("ceil(1 x (100 + 5) / 10)").isEqualTo(4);
        assertThat(forBatch.desired()).as("ceil(1 x (10 + 5) / 10)").isEqualTo(2);
        assertThat(forBatch.reason()).isEqualTo("target tracking: in-flight + weighted visible per task 15.0 above "
                + "10.0 for 3 min");
    }

    @Test
    void noRunningTask_leavesTargetTrackingWithoutData_andTheStepPolicyAddsOneTaskPerCooldown() {
        Decision first = step(visibleOnly, 0, 50, 0);
        assertThat(first).isEqualTo(new Decision(1, "step: backlog and no running task"));

        for (int i = 0; i < 9; i++) {
            assertThat(step(visibleOnly, 1, 50, 0).desired()).as("within the 600 s cooldown").isEqualTo(1);
        }
        assertThat(step(visibleOnly, 1, 50, 0).desired()).isEqualTo(2);
    }

    @Test
    void minTasks_isKeptFromTheStart_andNeverScaledBelow() {
        FleetScaler scaler = ScalingPolicies.VISIBLE_ONLY.newScaler(settings(Map.of("minTasks", 1)));

        assertThat(scaler.initialTasks()).isEqualTo(1);
        for (int i = 0; i < 30; i++) {
            assertThat(step(scaler, 1, 0, 1).desired()).isEqualTo(1);
        }
    }

    private Decision step(final FleetScaler scaler, final int desired, final int visible, final int running) {
        return scaler.decide(new FleetMetrics(++minute * 60, desired, visible, visible, 0, running, 0));
    }

    private static CapacitySettings settings(final Map<String, Object> context) {
        return FixedSettings.of(context);
    }
}
