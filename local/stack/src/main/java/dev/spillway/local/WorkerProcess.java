package dev.spillway.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The GPU-backend worker as a child process, started from its packaged jar with the configuration of the
 * local emulators: the same separate process it is in AWS (an ECS task), so it can be killed and drained.
 */
public final class WorkerProcess implements AutoCloseable {

    private final Process process;

    private WorkerProcess(Process process) {
        this.process = process;
    }

    /**
     * @param jar the worker's {@code quarkus-run.jar}
     * @param properties configuration passed as system properties
     * @param log where its output goes; null inherits this process's console
     */
    public static WorkerProcess start(Path jar, Map<String, String> properties, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("worker jar not found at " + jar.toAbsolutePath()
                    + ": build it with mvn -pl gpu-backend -am package");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (log == null) {
            builder.inheritIO();
        } else {
            File file = log.toFile();
            file.getParentFile().mkdirs();
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(file));
        }
        try {
            return new WorkerProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the worker", e);
        }
    }

    /** A worker already running as {@code process} (tests supervise stand-ins). */
    static WorkerProcess of(Process process) {
        return new WorkerProcess(process);
    }

    /** Blocks until the worker exits, for whatever reason; its exit code. */
    public int awaitExit() throws InterruptedException {
        return process.waitFor();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as ECS sends on scale-in: the worker drains, then exits. */
    public boolean terminate(long timeoutSeconds) {
        process.destroy();
        try {
            return process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: the worker dies holding whatever it was running. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive() && !terminate(30)) {
            kill();
        }
    }
}
