package dev.spillway.local;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.spillway.local.emulators.Ports;

/**
 * The packaged local stack run as a user runs it (its own JVM, which starts the emulators and a worker process), on
 * a given data folder, with its console in a log file the tests read (API port, endpoints, worker pids).
 */
final class PackagedStack implements AutoCloseable {

    private static final Pattern WORKER_PID = Pattern.compile("worker pid (\\d+)");
    private static final Pattern KEYS_ENDPOINT = Pattern.compile("--endpoint (http://127\\.0\\.0\\.1:\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    private final String base;
    private final String devKey;

    private PackagedStack(Process process, Path log, String base, String devKey) {
        this.process = process;
        this.log = log;
        this.base = base;
        this.devKey = devKey;
    }

    /**
     * Starts the stack and waits until its API answers.
     *
     * @param systemProperties extra {@code -D} arguments, e.g. {@code spillway.local.worker.KEY=VALUE} for the worker
     */
    static PackagedStack start(Path dataDir, Path filesDir, String devKey, Path log, String... systemProperties) {
        return start(dataDir, filesDir, devKey, log, Map.of(), systemProperties);
    }

    /** @param environment variables set on the stack after the defaults (e.g. {@code SPILLWAY_UPSTREAM_BASE_URL}) */
    static PackagedStack start(Path dataDir, Path filesDir, String devKey, Path log, Map<String, String> environment,
            String... systemProperties) {
        int port = Ports.free();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // as local/run does: ElasticMQ stores message bodies in the platform charset
                "-Dfile.encoding=UTF-8",
                "-Dspillway.local.worker-jar=" + System.getProperty("spillway.local.worker-jar")));
        for (String property : systemProperties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", System.getProperty("spillway.local.app-jar")));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("SPILLWAY_PORT", Integer.toString(port));
        builder.environment().put("SPILLWAY_DEV_KEY", devKey);
        builder.environment().put("SPILLWAY_DATA_DIR", dataDir.toString());
        builder.environment().put("SPILLWAY_FILES_DIR", filesDir.toString());
        // As on a machine without an installed redis-server: the stack must run the bundled one.
        builder.environment().put("PATH", pathWithoutRedis(builder.environment().getOrDefault("PATH", "")));
        builder.environment().remove("SPILLWAY_GGUF");
        builder.environment().remove("SPILLWAY_UPSTREAM_BASE_URL");
        builder.environment().remove("SPILLWAY_DIRECT_BASE_URL");
        builder.environment().putAll(environment);
        try {
            Files.writeString(log, "");
            PackagedStack stack = new PackagedStack(builder.start(), log, "http://127.0.0.1:" + port, devKey);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> stack.get("/v1/models", devKey).statusCode() == 200);
            return stack;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pathWithoutRedis(String path) {
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank() && !Files.isExecutable(Path.of(dir, "redis-server")))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Where its API answers, {@code http://127.0.0.1:PORT}. */
    String baseUrl() {
        return base;
    }

    /** The processes the stack started (worker, redis-server, S3 server), and theirs. */
    List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(130))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, devKey);
    }

    /** A job the API accepts without waiting for it (202 + Location). */
    HttpResponse<String> submitJob(String content) throws IOException, InterruptedException {
        String body = "{\"model\":\"spillway-tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + devKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every worker pid the stack has logged (at start, then one per restart), oldest first. */
    List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        Matcher matcher = WORKER_PID.matcher(log());
        while (matcher.find()) {
            pids.add(Long.parseLong(matcher.group(1)));
        }
        return pids;
    }

    /** The DynamoDB endpoint the stack prints for {@code local/api-keys --endpoint}. */
    String keysEndpoint() {
        Matcher matcher = KEYS_ENDPOINT.matcher(log());
        if (!matcher.find()) {
            throw new IllegalStateException("the stack printed no --endpoint for local/api-keys");
        }
        return matcher.group(1);
    }

    /** SIGKILL to the stack and every process under it at once: no shutdown hook, no drain, as in a crash. */
    void crash() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().noneMatch(ProcessHandle::isAlive));
    }

    /** An orderly stop (SIGTERM, as Ctrl-C), forcing whatever is left after a minute. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
