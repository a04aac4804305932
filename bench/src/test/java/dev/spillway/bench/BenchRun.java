package dev.spillway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One {@code bench/run} command as a user types it, on what the reactor just packaged. */
final class BenchRun {

    static final Path REPO = Path.of(System.getProperty("spillway.repo-dir", "..")).toAbsolutePath();

    /** Its exit code and everything it printed. */
    record Result(int exitCode, String output) {
    }

    private BenchRun() {
    }

    static Result of(String... args) throws IOException, InterruptedException {
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
        return new Result(process.exitValue(), output);
    }
}
