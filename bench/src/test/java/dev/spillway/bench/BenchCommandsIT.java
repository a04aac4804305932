package dev.spillway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every benchmark command of docs/benchmarks.md, run as written but in its quick form, on what the reactor just
 * packaged: the command works, prints its comparison, and its workload was answered in full (the benchmark
 * exits non-zero on a lost, duplicated or wrong answer). The figures of a quick run are not judged: tests never
 * time anything.
 */
class BenchCommandsIT {

    private static final Path REPO = Path.of(System.getProperty("spillway.repo-dir", "..")).toAbsolutePath();

    @ParameterizedTest
    @ValueSource(strings = {"cache-hit", "spill-lane", "sustained-load", "batching", "intake-merging", "dynamo", "surge"})
    void runsAndPrintsItsComparison(String name) throws Exception {
        Run run = benchRun(name, "--quick");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("## ").containsPattern("\\n\\| \\w+ +\\|").containsIgnoringCase("goal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-such-benchmark"})
    void refusesAnUnknownName(String name) throws Exception {
        Run run = benchRun(name);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("no benchmark named " + name);
    }

    private record Run(int exitCode, String output) {
    }

    private static Run benchRun(String... args) throws IOException, InterruptedException {
        Path log = Files.createTempFile("bench-run", ".log");
        String[] command = new String[args.length + 1];
        command[0] = REPO.resolve("bench/run").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPILLWAY_BENCH_PREBUILT", "1");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("bench/run " + String.join(" ", args) + " did not finish in 10 minutes");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        return new Run(process.exitValue(), output);
    }
}
