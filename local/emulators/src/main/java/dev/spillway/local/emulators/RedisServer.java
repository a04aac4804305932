package dev.spillway.local.emulators;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real {@code redis-server} process on a loopback port, without persistence. Can be stopped and restarted. The
 * one installed on the PATH comes first; without it, the binary bundled in embedded-redis (see
 * {@link BundledRedisBinary}) on the platforms it ships for.
 */
public final class RedisServer implements AutoCloseable {

    private final Path executable;
    private final int port;
    private Process process;

    private RedisServer(Path executable, int port) {
        this.executable = executable;
        this.port = port;
    }

    /** The installed {@code redis-server}, else the bundled one; empty when neither can run here. */
    public static Optional<RedisServer> find(int port) {
        return find(System.getenv().getOrDefault("PATH", ""), port);
    }

    /** As {@link #find(int)}, searching {@code pathVariable} (a PATH value) for an installed one. */
    static Optional<RedisServer> find(String pathVariable, int port) {
        return onPath(pathVariable, port).or(() -> BundledRedisBinary.extract().map(binary -> new RedisServer(binary, port)));
    }

    /** The {@code redis-server} on the PATH, if one is installed. */
    public static Optional<RedisServer> onPath(int port) {
        return onPath(System.getenv().getOrDefault("PATH", ""), port);
    }

    private static Optional<RedisServer> onPath(String pathVariable, int port) {
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(new RedisServer(candidate, port));
            }
        }
        return Optional.empty();
    }

    public synchronized RedisServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            process = new ProcessBuilder(List.of(executable.toString(), "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        ChildProcesses.awaitPort(process, port, Duration.ofSeconds(10),
                () -> "redis-server did not come up on port " + port);
        return this;
    }

    public synchronized void stop() {
        if (process != null) {
            ChildProcesses.stop(process);
            process = null;
        }
    }

    /** The binary this server runs: an installed one, or the bundled one extracted to the temporary folder. */
    public Path executable() {
        return executable;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
