package dev.spillway.local;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import dev.spillway.core.auth.ApiKey;
import dev.spillway.core.auth.ApiKeys;
import dev.spillway.core.auth.dynamo.DynamoApiKeyStore;
import dev.spillway.core.job.Tier;
import dev.spillway.core.queue.Fleets;
import dev.spillway.local.emulators.LocalCloud;
import dev.spillway.local.emulators.Ports;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The whole of Spillway on one machine: ElasticMQ and the DynamoDB emulator embedded (queues and tables created when
 * missing), a redis-server (installed, else the bundled one), this intake API on {@code SPILLWAY_PORT} (8080), and a
 * GPU-backend worker process with the embedded llama.cpp engine, restarted when it dies as ECS would. Same code
 * paths as in AWS; only the endpoints differ.
 *
 * <p>Environment: {@code SPILLWAY_MODEL} (model name clients send, default {@code spillway-tiny}),
 * {@code SPILLWAY_GGUF} (GGUF file to serve; without it a tiny random-weight model is generated and its text
 * is gibberish), or {@code SPILLWAY_UPSTREAM_BASE_URL} with {@code SPILLWAY_UPSTREAM_API_KEY} and
 * {@code SPILLWAY_UPSTREAM_MODEL} to have the worker call an OpenAI-compatible API such as DeepSeek's; with
 * {@code SPILLWAY_UPSTREAM_SERVED_MODEL} as well, that API is served as a second model under that name beside the
 * llama.cpp one, each model with queues and workers of its own (a fleet per model, as in AWS);
 * {@code SPILLWAY_DIRECT_BASE_URL} (with {@code SPILLWAY_DIRECT_API_KEY}, {@code SPILLWAY_DIRECT_MODEL}, and
 * {@code SPILLWAY_DIRECT_ENDPOINTS}, the endpoints it serves: {@code chat/completions} unless a comma-separated list
 * of {@code chat/completions}, {@code completions}, {@code embeddings} says more) for a direct lane: the intake calls
 * that API first and spills to the queue when it is busy.
 * {@code SPILLWAY_DEV_KEY} sets the API key created for tenant {@code dev} (else one is generated and printed).
 * {@code SPILLWAY_FILES_DIR} (default {@code .spillway/files}) is the local S3 server's folder: the files bucket
 * is its {@code spillway-files} subfolder, so a batch file dropped there starts a batch.
 * {@code SPILLWAY_DATA_DIR} (default {@code .spillway/data}) keeps the queued messages and the tables across
 * restarts and crashes. {@code SPILLWAY_WORKERS} (default 1) is how many worker processes run, each supervised;
 * pre-scaling may keep up to {@code SPILLWAY_MAX_WORKERS} (default one more) per fleet ahead of a forecast rise.
 * This launcher is the one place that reads them: it turns them into configuration before Quarkus starts.
 */
@QuarkusMain
public class LocalStack implements QuarkusApplication {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);

    private static LocalCloud cloud;
    private static Map<String, String> workerConfig;
    /** The worker configuration of each fleet: the shared one, or one per model when models have fleets. */
    private static Map<String, Map<String, String>> fleetWorkerConfigs;
    private static int workerCount;
    private static int maxWorkers;
    /**
     * Each fleet's supervised worker processes; read by {@link SupervisedWorkers} on every scheduler tick, resized by
     * {@link LocalFleetFloor} when pre-scaling raises a fleet's minimum.
     */
    private static final Map<String, FleetWorkers> FLEETS = new ConcurrentHashMap<>();
    private static String devKey;
    /** Counted down once run() has stopped the worker and the emulators, in that order. */
    private static final CountDownLatch STOPPED = new CountDownLatch(1);
    private static volatile boolean running;

    public static void main(String... args) {
        Map<String, String> env = System.getenv();
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(60), 5, true, false, "spillway", 0, 0, 0)
                .withS3(filesFolder(env)).withDataFolder(dataFolder(env)));
        // Fallback for a start that fails before run(): never leave redis-server behind. After a normal start the
        // hook waits for run() to stop the worker first, since JVM shutdown hooks run concurrently.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (running) {
                try {
                    STOPPED.await(90, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeCloud();
        }, "spillway-local-cloud"));
        devKey = createDevKey(env.get("SPILLWAY_DEV_KEY"));
        Map<String, String> shared = new LinkedHashMap<>(cloud.config());
        Map<String, Map<String, String>> models = modelConfigs(env);
        models.values().forEach(shared::putAll);
        if (models.size() > 1) {
            models.keySet().forEach(model -> shared.putAll(cloud.fleetConfig(model)));
        }
        shared.forEach(System::setProperty);

        workerConfig = new LinkedHashMap<>(shared);
        // Batch files are the stack's business: the worker has no S3 client, and would warn about its keys.
        workerConfig.keySet().removeIf(key -> key.startsWith("quarkus.s3."));
        workerConfig.put("quarkus.http.host", "127.0.0.1");
        // The worker shares this console: keep it readable.
        workerConfig.put("quarkus.log.console.json.enabled", "false");
        workerConfig.put("spillway.redis.timeout", "PT2S");
        // CloudWatch metrics lines are for AWS; locally /q/metrics has the same numbers.
        workerConfig.put("spillway.metrics.emf.enabled", "false");
        workerCount = workerCount(env);
        maxWorkers = maxWorkers(env, workerCount);
        workerConfig.put("spillway.worker.concurrency", env.getOrDefault("SPILLWAY_WORKER_CONCURRENCY", "4"));
        workerConfig.putAll(workerOverrides(System.getProperties()));
        fleetWorkerConfigs = fleetWorkerConfigs(workerConfig, models.keySet());
        Quarkus.run(LocalStack.class, args);
    }

    /** Where the local S3 server keeps its objects: a batch file dropped under it is an object in the files bucket. */
    static Path filesFolder(Map<String, String> env) {
        return Path.of(env.getOrDefault("SPILLWAY_FILES_DIR", ".spillway/files")).toAbsolutePath().normalize();
    }

    /** Where the emulators keep queues and tables, so a restarted stack carries on with its jobs and keys. */
    static Path dataFolder(Map<String, String> env) {
        return Path.of(env.getOrDefault("SPILLWAY_DATA_DIR", ".spillway/data")).toAbsolutePath().normalize();
    }

    /** {@code -Dspillway.local.worker.KEY=VALUE} on the stack sets {@code KEY} on the worker (benchmarks, debugging). */
    static Map<String, String> workerOverrides(java.util.Properties properties) {
        String prefix = "spillway.local.worker.";
        Map<String, String> overrides = new LinkedHashMap<>();
        properties.stringPropertyNames().stream()
                .filter(name -> name.startsWith(prefix) && name.length() > prefix.length())
                .sorted()
                .forEach(name -> overrides.put(name.substring(prefix.length()), properties.getProperty(name)));
        return overrides;
    }

    /** A key for tenant {@code dev} so a new user can call at once; its value is printed at start. */
    private static String createDevKey(String requested) {
        String key = requested == null || requested.isBlank() ? ApiKeys.generate() : requested.strip();
        new DynamoApiKeyStore(cloud.dynamo(), cloud.apiKeysTable()).put(new ApiKey(ApiKeys.hash(key), "dev",
                Tier.INTERACTIVE, Set.of(), 0, 0, Instant.now(), null));
        return key;
    }

    /**
     * The configuration of each served model, by the name clients send: one model, or two when
     * {@code SPILLWAY_UPSTREAM_SERVED_MODEL} names the upstream's own.
     */
    static Map<String, Map<String, String>> modelConfigs(Map<String, String> env) {
        Map<String, Map<String, String>> models = new LinkedHashMap<>();
        String upstreamName = env.get("SPILLWAY_UPSTREAM_SERVED_MODEL");
        String upstream = env.get("SPILLWAY_UPSTREAM_BASE_URL");
        if (upstreamName == null || upstreamName.isBlank() || upstream == null || upstream.isBlank()) {
            models.put(env.getOrDefault("SPILLWAY_MODEL", "spillway-tiny"), modelConfig(env));
            return models;
        }
        Map<String, String> embedded = new LinkedHashMap<>(env);
        embedded.remove("SPILLWAY_UPSTREAM_BASE_URL");
        models.put(env.getOrDefault("SPILLWAY_MODEL", "spillway-tiny"), modelConfig(embedded));
        Map<String, String> upstreamOnly = new LinkedHashMap<>(env);
        upstreamOnly.put("SPILLWAY_MODEL", upstreamName.strip());
        upstreamOnly.remove("SPILLWAY_DIRECT_BASE_URL");
        models.put(upstreamName.strip(), modelConfig(upstreamOnly));
        return models;
    }

    /**
     * Each fleet's worker configuration: with one model, the shared fleet with everything; with several, one fleet
     * per model whose workers know only their own model (as each ECS service in AWS does), so they read only its
     * queues.
     */
    static Map<String, Map<String, String>> fleetWorkerConfigs(Map<String, String> workerConfig,
            Set<String> models) {
        Map<String, Map<String, String>> fleets = new LinkedHashMap<>();
        if (models.size() == 1) {
            fleets.put(Fleets.SHARED, workerConfig);
            return fleets;
        }
        for (String model : models) {
            Map<String, String> own = new LinkedHashMap<>(workerConfig);
            own.keySet().removeIf(key -> models.stream().filter(other -> !other.equals(model))
                    .anyMatch(other -> key.startsWith("spillway.models.\"" + other + "\".")));
            fleets.put(model, own);
        }
        return fleets;
    }

    static Map<String, String> modelConfig(Map<String, String> env) {
        String model = env.getOrDefault("SPILLWAY_MODEL", "spillway-tiny");
        String prefix = "spillway.models.\"" + model + "\".";
        Map<String, String> config = new LinkedHashMap<>();
        String upstream = env.get("SPILLWAY_UPSTREAM_BASE_URL");
        if (upstream != null && !upstream.isBlank()) {
            config.put(prefix + "engine", "openai");
            config.put(prefix + "base-url", upstream);
            if (env.containsKey("SPILLWAY_UPSTREAM_API_KEY")) {
                config.put(prefix + "api-key", env.get("SPILLWAY_UPSTREAM_API_KEY"));
            }
            if (env.containsKey("SPILLWAY_UPSTREAM_MODEL")) {
                config.put(prefix + "upstream-model", env.get("SPILLWAY_UPSTREAM_MODEL"));
            }
        } else {
            config.put(prefix + "engine", "llamacpp");
            if (env.containsKey("SPILLWAY_GGUF")) {
                config.put(prefix + "gguf-path", env.get("SPILLWAY_GGUF"));
            }
        }
        // The direct lane: the intake calls this API first and spills to the queue (and the worker) when it is busy.
        String direct = env.get("SPILLWAY_DIRECT_BASE_URL");
        if (direct != null && !direct.isBlank()) {
            config.put("spillway.upstreams.direct.base-url", direct);
            if (env.containsKey("SPILLWAY_DIRECT_API_KEY")) {
                config.put("spillway.upstreams.direct.api-key", env.get("SPILLWAY_DIRECT_API_KEY"));
            }
            if (env.containsKey("SPILLWAY_DIRECT_MODEL")) {
                config.put("spillway.upstreams.direct.model", env.get("SPILLWAY_DIRECT_MODEL"));
            }
            if (env.containsKey("SPILLWAY_DIRECT_ENDPOINTS")) {
                config.put("spillway.upstreams.direct.endpoints", env.get("SPILLWAY_DIRECT_ENDPOINTS"));
            }
            config.put(prefix + "direct", "direct");
        }
        return config;
    }

    @Override
    public int run(String... args) {
        running = true;
        try {
            serve();
        } finally {
            closeCloud();
            STOPPED.countDown();
        }
        return 0;
    }

    static int workerCount(Map<String, String> env) {
        String value = env.getOrDefault("SPILLWAY_WORKERS", "1").strip();
        try {
            int count = Integer.parseInt(value);
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("SPILLWAY_WORKERS must be a whole number of at least 1, not " + value);
    }

    /**
     * Most worker processes per fleet while pre-scaling raises its minimum: {@code SPILLWAY_MAX_WORKERS}, by default
     * one more than {@code SPILLWAY_WORKERS} (each is a JVM with a model loaded: keep it small).
     */
    static int maxWorkers(Map<String, String> env, int workers) {
        String value = env.getOrDefault("SPILLWAY_MAX_WORKERS", Integer.toString(workers + 1)).strip();
        try {
            int count = Integer.parseInt(value);
            if (count >= workers) {
                return count;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("SPILLWAY_MAX_WORKERS must be a whole number of at least SPILLWAY_WORKERS ("
                + workers + "), not " + value);
    }

    /** Worker processes of the fleet alive now (one being restarted after a crash does not count). */
    static int runningWorkers(String fleet) {
        FleetWorkers workers = FLEETS.get(fleet);
        return workers == null ? 0 : workers.running();
    }

    /** The fleet's workers, once the stack has started them. */
    static Optional<FleetWorkers> fleetWorkers(String fleet) {
        return Optional.ofNullable(FLEETS.get(fleet));
    }

    private void serve() {
        Path jar = Path.of(System.getProperty("spillway.local.worker-jar", "gpu-backend/target/quarkus-app/quarkus-run.jar"));
        try {
            fleetWorkerConfigs.forEach((fleet, fleetConfig) -> FLEETS.put(fleet, new FleetWorkers(fleet, () -> {
                // Each worker serves its health and metrics on its own port, kept across its restarts.
                Map<String, String> config = new LinkedHashMap<>(fleetConfig);
                config.put("quarkus.http.port", Integer.toString(Ports.free()));
                return WorkerSupervisor.start(() -> WorkerProcess.start(jar, config, null), RestartBackoff.standard(),
                        Clock.systemUTC());
            }, workerCount, maxWorkers).start()));
            LOG.infof("Spillway local stack ready: API http://localhost:%d/v1 | %s | %s",
                    ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class), cloud.describe(),
                    FLEETS.entrySet().stream().sorted(Map.Entry.comparingByKey()).flatMap(fleet -> fleet.getValue()
                            .pids().stream().map(pid -> fleet.getKey() + " worker pid " + pid))
                            .collect(Collectors.joining(", ")));
            LOG.infof("Dev API key (tenant dev): %s   (set SPILLWAY_DEV_KEY to choose it; more keys: "
                    + "local/api-keys create --tenant NAME --endpoint %s)", devKey, cloud.dynamoServer().endpoint());
            LOG.infof("Event sources: batch files dropped into %s | ingest queue %s | webhooks from the jobs "
                    + "stream | scheduler every %s", filesFolder(System.getenv()).resolve(cloud.filesBucket())
                    .resolve("batches/dev"), cloud.queueUrl("ingest"),
                    ConfigProvider.getConfig().getValue("spillway.scheduler.local-interval", String.class));
            if (cloud.redis().isEmpty()) {
                LOG.warn("no redis-server (none installed, and the bundled one runs only on linux-amd64): running "
                        + "without the L2 cache and completion notices");
            }
            Quarkus.waitForExit();
            LOG.info("stopping: draining the workers, then the emulators");
        } finally {
            FLEETS.values().parallelStream().forEach(FleetWorkers::close);
            FLEETS.clear();
        }
    }

    private static synchronized void closeCloud() {
        if (cloud != null) {
            cloud.close();
            cloud = null;
        }
    }
}
