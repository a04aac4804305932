package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.cost.PriceTable;
import dev.spillway.capacity.policy.ScalingPolicies;
import dev.spillway.capacity.policy.ScalingPolicy;
import dev.spillway.capacity.sim.Simulation;
import dev.spillway.capacity.sim.SystemModel;
import dev.spillway.capacity.workload.Profile;
import dev.spillway.capacity.workload.TierMix;
import org.junit.jupiter.api.Test;

class PlanReportTest {

    private static final Profile STEADY = new Profile(Profile.Shape.STEADY,
            new Profile.Parameters(0.5, "m", new TierMix(1, 1, 1), 500, 300, 1, 3));
    private static final SystemModel SYSTEM = SystemModel.builder(
            CapacitySettings.fromContext(Map.<String, Object>of("meanProcessingSeconds", 1)::get)).build();

    @Test
    void onePolicy_endsWithTheDocumentedLine() {
        PlanReport report = report(List.of(ScalingPolicies.VISIBLE_ONLY));

        String printed = print(report);

        String[] lines = printed.strip().split("\n");
        assertThat(lines[lines.length - 1]).matches(
                "plan steady: wait p99 \\d+\\.\\d s, peak intake concurrency \\d+, GPU-hours \\d+\\.\\d, cost \\$\\d+\\.\\d\\d");
        assertThat(printed).contains("## Queue wait, seconds", "| interactive p99", "| cost $: total");
    }

    @Test
    void comparison_endsWithOneLinePerPolicy_andShowsRatiosAgainstTheFirst() {
        PlanReport report = report(List.of(ScalingPolicies.VISIBLE_ONLY, ScalingPolicies.IN_FLIGHT));

        String printed = print(report);

        String[] lines = printed.strip().split("\n");
        assertThat(lines[lines.length - 2]).startsWith("plan steady (visible-only): wait p99 ");
        assertThat(lines[lines.length - 1]).startsWith("plan steady (in-flight): wait p99 ");
        assertThat(printed).contains("| in-flight / visible-only |");
    }

    @Test
    void chart_isOneSelfContainedPageWithAPanelPerConcern() {
        PlanReport report = report(List.of(ScalingPolicies.VISIBLE_ONLY, ScalingPolicies.IN_FLIGHT));

        String html = PlanChart.html(report);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("plan steady (in-flight): wait p99");
        assertThat(html.split("<svg ", -1)).hasSize(6);
        assertThat(html).contains("<polyline", "Backlog", "Worker tasks", "Queue wait", "Intake concurrency");
        assertThat(html).doesNotContain("<script", " src=", "href=");
    }

    @Test
    void svgChart_isOneImageHoldingEveryPanel() {
        PlanReport report = report(List.of(ScalingPolicies.VISIBLE_ONLY));

        String svg = PlanChart.svg(report);

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").contains("plan steady: wait p99");
        assertThat(svg.split("<svg ", -1)).hasSize(7);
        assertThat(svg).doesNotContain("<script", "<html");
    }

    private static PlanReport report(List<ScalingPolicy> policies) {
        return new PlanReport(STEADY, SYSTEM, policies,
                policies.stream().map(policy -> Simulation.run(STEADY, SYSTEM, policy)).toList(),
                PriceTable.defaults());
    }

    private static String print(PlanReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        report.printInputs(out, "test", 0.1);
        report.printTables(out);
        report.printLastLines(out);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
