package dev.spillway.capacity.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import java.util.Map;

import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.Request;
import dev.spillway.capacity.workload.Tier;
import dev.spillway.capacity.workload.TierMix;
import dev.spillway.capacity.workload.Trace;
import org.junit.jupiter.api.Test;

class FleetScalingTest {

    private static final Profile SURGE = new Profile(Profile.Shape.SURGE10X,
            new Profile.Parameters(2, "m", new TierMix(0.2, 0.6, 0.2), 500, 300, 6, 11));

    @Test
    void fleetAtZero_makesTheFirstJobWaitForDetectionAndAColdStart() {
        // GIVEN a fleet at zero whose cold start takes exactly 7 minutes
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("coldStartMinSeconds", 420,
                        "coldStartMaxSeconds", 420)))
                .fleet(Plans.instantDispatch())
                .build();

        // WHEN one job arrives
        PlanResult result = Simulation.run(Plans.burst(1, 0), system, ScalingPolicies.VISIBLE_ONLY);

        // THEN the step policy sees it in the first minute's metrics, which arrive a minute late (t = 120 s), and the
        // task it starts serves 420 s later
        assertThat(result.queueWait().max()).isCloseTo(120 + 420, offset(1e-9));
        assertThat(result.coldStarts()).isEqualTo(1);
        assertThat(result.scalingEvents().get(0)).isEqualTo(
                new ScalingEvent(120, "m", 0, 1, "step: backlog and no running task"));
        assertThat(result.scalingEvents()).last().satisfies(last -> assertThat(last.to()).isZero());
    }

    @Test
    void surge_scalesWithinEveryCooldown() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of()))
                .engine(new EngineModel.Batched(6, 6, 100))
                .build();

        PlanResult result = Simulation.run(SURGE, system, ScalingPolicies.VISIBLE_ONLY);

        List<ScalingEvent> steps = result.scalingEvents().stream()
                .filter(e -> e.reason().startsWith("step")).toList();
        List<ScalingEvent> scaleIns = result.scalingEvents().stream().filter(e -> e.to() < e.from()).toList();
        assertThat(steps).hasSizeGreaterThan(3);
        assertThat(scaleIns).hasSizeGreaterThan(3);
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i).time() - steps.get(i - 1).time()).isGreaterThanOrEqualTo(600);
        }
        for (int i = 1; i < scaleIns.size(); i++) {
            assertThat(scaleIns.get(i).time() - scaleIns.get(i - 1).time()).isGreaterThanOrEqualTo(300);
        }
        assertThat(java.util.Arrays.stream(result.timeline().desired()).max().orElseThrow()).isLessThanOrEqualTo(4);
        assertThat(result.peakTasks()).isLessThanOrEqualTo(4);
    }

    @Test
    void steadyLoadThatOneTaskKeepsUpWith_takesAVisibleOnlyFleetToZero_butNotOneCountingInFlight() {
        // GIVEN jobs of 40 s at 0.3/s: 12 in flight on average, none left visible for long
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("workerConcurrency", 16)))
                .engine(new EngineModel.Fixed(40))
                .build();
        Profile steady = new Profile(Profile.Shape.STEADY,
                new Profile.Parameters(0.3, "m", new TierMix(0, 1, 0), 500, 300, 6, 5));

        // WHEN each policy scales the fleet
        PlanResult visibleOnly = Simulation.run(steady, system, ScalingPolicies.VISIBLE_ONLY);
        PlanResult inFlight = Simulation.run(steady, system, ScalingPolicies.IN_FLIGHT);

        // THEN the visible-only fleet keeps dropping to zero and restarting: its callers wait for each restart, and
        // the restarts and idle instances cost GPU time; the other waits for its first start only
        assertThat(visibleOnly.timesAtZero()).isGreaterThanOrEqualTo(3);
        assertThat(inFlight.timesAtZero()).isZero();
        assertThat(inFlight.queueWait().p90()).isLessThan(visibleOnly.queueWait().p90() / 10);
        assertThat(inFlight.usage().gpuInstanceHours()).isLessThan(visibleOnly.usage().gpuInstanceHours());
    }

    @Test
    void minTasks_keepsAWarmTaskSoTheFirstJobDoesNotWaitForAColdStart() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of("minTasks", 1)))
                .fleet(Plans.instantDispatch())
                .build();

        PlanResult result = Simulation.run(Plans.burst(1, 30), system, ScalingPolicies.VISIBLE_ONLY);

        assertThat(result.queueWait().max()).isZero();
        assertThat(result.coldStarts()).isZero();
        assertThat(result.timesAtZero()).isZero();
    }

    @Test
    void eachModel_hasItsOwnFleetScaledOnItsOwnBacklog() {
        Trace twoModels = new Trace("two", List.of(
                new Request(0, "chat", Tier.INTERACTIVE, 100, 100),
                new Request(1800, "reasoner", Tier.INTERACTIVE, 100, 100)));
        SystemModel system = SystemModel.builder(Plans.settings(Map.of())).fleet(Plans.instantDispatch()).build();

        PlanResult result = Simulation.run(twoModels, system, ScalingPolicies.VISIBLE_ONLY);

        assertThat(result.scalingEvents()).filteredOn(e -> e.from() == 0)
                .extracting(ScalingEvent::model).containsExactly("chat", "reasoner");
        assertThat(result.coldStarts()).isEqualTo(2);
    }

    @Test
    void samePlan_givesTheSameResult() {
        SystemModel system = SystemModel.builder(Plans.settings(Map.of()))
                .engine(new EngineModel.Batched(6, 6, 100))
                .cacheHitRate(0.2)
                .build();

        PlanResult first = Simulation.run(SURGE, system, ScalingPolicies.IN_FLIGHT);
        PlanResult second = Simulation.run(SURGE, system, ScalingPolicies.IN_FLIGHT);

        assertThat(second.counts()).isEqualTo(first.counts());
        assertThat(second.queueWait()).isEqualTo(first.queueWait());
        assertThat(second.scalingEvents()).isEqualTo(first.scalingEvents());
        assertThat(second.usage()).isEqualTo(first.usage());
    }
}
