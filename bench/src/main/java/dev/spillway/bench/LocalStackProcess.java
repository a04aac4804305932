package dev.spillway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.spillway.local.emulators.Ports;

/**
 * The packaged local stack ({@code local/run}'s jar) as a child process: emulators, intake API and a worker
 * process, the same system a user starts. Built by {@code bench/run} before the benchmark runs.
 */
public final class LocalStackProcess implements AutoCloseable {

    public static final String DEV_KEY = "spillway-bench-key";
    public static final String MODEL = "bench-model";

    /**
     * The stack's ready line names its emulators: "SQS (ElasticMQ) http://... keeping queues in ..., DynamoDB
     * (emulator) http://... keeping tables in ...,".
     */
    private static final Pattern EMULATORS = Pattern.compile(
            "SQS \\(ElasticMQ\\) (\\S+)[^,]*, DynamoDB \\(emulator\\) (\\S+)[ ,]");

    /** Endpoints of the stack's own ElasticMQ and DynamoDB emulator. */
    public record Emulators(String sqs, String dynamo) {
    }

    private final Process process;
    private final String baseUrl;
    private Emulators emulators;

    private LocalStackProcess(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    /**
     * @param upstreamBaseUrl the OpenAI-compatible server the worker's engine calls; null for the stack's default
     *        engine, embedded llama.cpp with a tiny random-weight model
     * @param properties extra configuration for the intake (system properties of the stack process)
     */
    public static LocalStackProcess start(BenchOptions options, String name, String upstreamBaseUrl,
            Map<String, String> properties) throws Exception {
        // A free port can be taken by another process before the stack binds it: try again with another.
        for (int attempt = 1;; attempt++) {
            try {
                return startOnce(options, name, upstreamBaseUrl, properties);
            } catch (ExitedAtStart e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** The stack process ended before it answered. */
    private static final class ExitedAtStart extends IllegalStateException {
        ExitedAtStart(String message) {
            super(message);
        }
    }

    private static LocalStackProcess startOnce(BenchOptions options, String name, String upstreamBaseUrl,
            Map<String, String> properties) throws Exception {
        Path repo = options.repoDir();
        Path app = repo.resolve("local/stack/target/quarkus-app/quarkus-run.jar");
        Path worker = repo.resolve("gpu-backend/target/quarkus-app/quarkus-run.jar");
        for (Path jar : List.of(app, worker)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: bench/run builds it (mvn -pl bench -am package)");
            }
        }
        int port = Ports.free();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dfile.encoding=UTF-8");
        command.add("-Dspillway.local.worker-jar=" + worker);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(app.toString());
        Path log = repo.resolve("bench/target/" + name + "-stack.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SPILLWAY_PORT", Integer.toString(port));
        env.put("SPILLWAY_DEV_KEY", DEV_KEY);
        env.put("SPILLWAY_MODEL", MODEL);
        if (upstreamBaseUrl != null) {
            env.put("SPILLWAY_UPSTREAM_BASE_URL", upstreamBaseUrl);
        } else {
            env.remove("SPILLWAY_UPSTREAM_BASE_URL");
        }
        env.remove("SPILLWAY_GGUF");
        // Each run starts empty: queues and tables left by an earlier run would skew its figures.
        Path data = repo.resolve("bench/target/" + name + "-data");
        deleteRecursively(data);
        env.put("SPILLWAY_DATA_DIR", data.toString());
        LocalStackProcess stack = new LocalStackProcess(builder.start(), "http://127.0.0.1:" + port);
        stack.awaitReady(log);
        return stack;
    }

    private void awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ExitedAtStart("the local stack exited at start; see " + log);
            }
            try {
                HttpResponse<String> models = HttpLoad.client().send(request("/v1/models").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                // The API can answer a moment before the stack logs its ready line.
                Matcher ready = EMULATORS.matcher(Files.readString(log));
                if (models.statusCode() == 200 && ready.find()) {
                    emulators = new Emulators(ready.group(1), ready.group(2));
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("the local stack did not answer within 180 s; see " + log);
    }

    /** A request to the intake API with the dev key. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + DEV_KEY);
    }

    /**
     * CPU time the stack's JVM (intake and embedded emulators, not its worker or Redis processes) has used so far, as
     * the operating system counts it: reading it costs the stack nothing, unlike a scrape of {@code /q/metrics}.
     */
    public Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("this system does not report a process's CPU time"));
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Emulators emulators() {
        return emulators;
    }

    /** SIGTERM, as Ctrl-C: the stack drains its worker and stops the emulators; forced after a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
