package dev.spillway.local.dynamo.conformance;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dynalite, the reference implementation, run by node from {@code src/test/dynalite} (installed there with
 * {@code npm ci} from the pinned lock file; skipped when the installed copy already matches the lock file) and kept
 * in memory for the duration of the suite.
 */
final class DynaliteServer implements AutoCloseable {

    private static final String INSTALLED_MARKER = ".spillway-installed-lock-sha256";

    private final Process process;
    private final URI endpoint;

    private DynaliteServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static DynaliteServer start(Path directory, Path log) throws IOException {
        requireNode();
        installIfNeeded(directory);
        int port = freePort();
        Process process = new ProcessBuilder("node", directory.resolve("node_modules/dynalite/cli.js").toString(),
                "--port", Integer.toString(port), "--host", "127.0.0.1",
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        DynaliteServer server = new DynaliteServer(process, URI.create("http://127.0.0.1:" + port + "/"));
        DynamoWire wire = new DynamoWire(server.endpoint);
        await("dynalite listening on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> process.isAlive() && wire.call("ListTables", "{}").status() == 200);
        return server;
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static void requireNode() {
        try {
            Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("The DynamoDB conformance suite runs dynalite and needs Node.js 20+ (node and"
                + " npm on the PATH), as the README says; `node --version` did not run");
    }

    /** {@code npm ci} only when node_modules was not installed from this very lock file. */
    private static void installIfNeeded(Path directory) throws IOException {
        String lockHash = sha256(Files.readAllBytes(directory.resolve("package-lock.json")));
        Path marker = directory.resolve("node_modules").resolve(INSTALLED_MARKER);
        if (Files.exists(directory.resolve("node_modules/dynalite/cli.js")) && Files.exists(marker)
                && Files.readString(marker).strip().equals(lockHash)) {
            return;
        }
        List<String> command = List.of("npm", "ci", "--no-audit", "--no-fund");
        Process install = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(install.getInputStream().readAllBytes());
            if (!install.waitFor(5, TimeUnit.MINUTES)) {
                install.destroyForcibly();
                throw new IllegalStateException("npm ci in " + directory + " did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (install.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + directory + " failed:\n" + output);
        }
        Files.writeString(marker, lockHash);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
