package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/run plan} as docs/capacity.md shows it: the last lines, the chart, a refused trace, and the validation
 * against the local stack in its quick form, on what the reactor just packaged.
 */
class PlanCommandIT {

    private static final String LAST_LINE =
            " wait p99 \\d+\\.\\d s, peak intake concurrency \\d+, GPU-hours \\d+\\.\\d, cost \\$\\d+\\.\\d\\d";

    @Test
    void comparison_endsWithOneLinePerPolicy_andWritesTheChart(@TempDir Path dir) throws Exception {
        Path chart = dir.resolve("surge.html");

        BenchRun.Result run = BenchRun.of("plan", "--profile", "surge10x", "--compare", "visible-only,in-flight",
                "--task-rate", "6", "--chart", chart.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        String[] lines = run.output().strip().split("\n");
        assertThat(lines[lines.length - 2]).matches("plan surge10x \\(visible-only\\):" + LAST_LINE);
        assertThat(lines[lines.length - 1]).matches("plan surge10x \\(in-flight\\):" + LAST_LINE);
        assertThat(run.output()).contains("chart: " + chart.toAbsolutePath());
        assertThat(Files.readString(chart)).contains("<svg ", "plan surge10x (in-flight): wait p99");
    }

    @Test
    void onePolicy_endsWithTheSpecifiedLine() throws Exception {
        BenchRun.Result run = BenchRun.of("plan", "--profile", "daily");

        assertThat(run.exitCode()).as(run.output()).isZero();
        String[] lines = run.output().strip().split("\n");
        assertThat(lines[lines.length - 1]).matches("plan daily:" + LAST_LINE);
    }

    @Test
    void badTrace_isRefusedWithTheLineAndTheReason(@TempDir Path dir) throws Exception {
        Path trace = Files.writeString(dir.resolve("bad.csv"),
                "arrival_seconds,model,tier,prompt_tokens,output_tokens\n0,m,interactive,10,10\n1,m,gold,10,10\n");

        BenchRun.Result run = BenchRun.of("plan", "--trace", trace.toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("bad.csv line 3: tier 'gold' is not one of interactive, standard, batch");
    }

    @Test
    void simulatedQueueWaits_agreeWithTheLocalStackFedTheSameTrace() throws Exception {
        BenchRun.Result run = BenchRun.of("plan", "--validate", "--quick");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("goal: mean, p50 and p90 within 0.25 s + 25% of the measured wait -> met");
    }
}
