package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every benchmark command of docs/benchmarks.md, run as written but in its quick form, on what the reactor just
 * packaged: the command works, prints its comparison, and its workload was answered in full (the benchmark
 * exits non-zero on a lost, duplicated or wrong answer). The figures of a quick run are not judged: tests never
 * time anything.
 */
class BenchCommandsIT {

    @ParameterizedTest
    @ValueSource(strings = {"cache-hit", "direct-lane", "spill-lane", "sustained-load", "batching", "intake-merging",
        "dynamo", "surge", "streaming"})
    void runsAndPrintsItsComparison(String name) throws Exception {
        BenchRun.Result run = BenchRun.of(name, "--quick");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("## ").containsPattern("\\n\\| \\w+ +\\|").containsIgnoringCase("goal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-such-benchmark"})
    void refusesAnUnknownName(String name) throws Exception {
        BenchRun.Result run = BenchRun.of(name);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("no benchmark named " + name);
    }
}
