package dev.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.spillway.local.dynamo.DynamoEmulatorMain;
import dev.spillway.local.emulators.Ports;

/**
 * A DynamoDB endpoint under measurement as its own process, so every server runs apart from the bench's client
 * JVM alike: our emulator ({@link DynamoEmulatorMain}), dynalite on node, or the {@link DynamoFloorServer}.
 */
final class DynamoServerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final URI endpoint;

    private DynamoServerProcess(String name, Process process, URI endpoint) {
        this.name = name;
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Our emulator, in memory, started by its own main on the bench's class path. */
    static DynamoServerProcess emulator(BenchOptions options) throws Exception {
        int port = Ports.free();
        return start("emulator", options, port, javaCommand(DynamoEmulatorMain.class,
                "--host", "127.0.0.1", "--port", Integer.toString(port)));
    }

    static DynamoServerProcess floor(BenchOptions options) throws Exception {
        int port = Ports.free();
        return start("floor", options, port, javaCommand(DynamoFloorServer.class, Integer.toString(port)));
    }

    /** The floor that closes the connection after each answer, so no client ever reuses one. */
    static DynamoServerProcess floorClosingConnections(BenchOptions options) throws Exception {
        int port = Ports.free();
        return start("floor, Connection: close", options, port, javaCommand(DynamoFloorServer.class,
                Integer.toString(port), "--close-connections"));
    }

    /** dynalite as the conformance suite runs it: node, in memory, tables active at once. */
    static DynamoServerProcess dynalite(BenchOptions options) throws Exception {
        Path folder = DynaliteInstall.ensureInstalled(options.repoDir());
        int port = Ports.free();
        return start("dynalite", options, port, List.of("node",
                folder.resolve("node_modules/dynalite/cli.js").toString(), "--port", Integer.toString(port),
                "--host", "127.0.0.1", "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
    }

    private static List<String> javaCommand(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    private static DynamoServerProcess start(String name, BenchOptions options, int port, List<String> command)
            throws Exception {
        Path log = options.repoDir().resolve("bench/target/dynamo-" + name.replaceAll("\\W+", "-") + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        DynamoServerProcess server = new DynamoServerProcess(name, process,
                URI.create("http://127.0.0.1:" + port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Ports.accepting(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException(name + " did not listen on port " + port + "; see " + log);
            }
            Thread.sleep(50);
        }
        return server;
    }

    String name() {
        return name;
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
}
