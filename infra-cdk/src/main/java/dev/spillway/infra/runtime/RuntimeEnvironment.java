package dev.spillway.infra.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.spillway.infra.api.IntakeTimeouts;
import dev.spillway.infra.data.FleetQueues;
import dev.spillway.infra.data.PriorityQueues;
import dev.spillway.infra.data.TierQueue;
import software.amazon.awscdk.services.dynamodb.ITable;

/**
 * The environment variables the intake function and the worker read (their {@code @ConfigMapping}s, by
 * MicroProfile Config's environment-variable naming). Kept in one place so both units get the same names.
 */
public final class RuntimeEnvironment {

    /** {@code spillway.jobs.table} */
    public static final String JOBS_TABLE = "SPILLWAY_JOBS_TABLE";
    /** {@code spillway.jobs.idempotency-table}: intake only. */
    public static final String IDEMPOTENCY_TABLE = "SPILLWAY_JOBS_IDEMPOTENCY_TABLE";
    /** {@code spillway.batches.table}: intake only. */
    public static final String BATCHES_TABLE = "SPILLWAY_BATCHES_TABLE";
    /** {@code spillway.auth.keys-table}: intake only. */
    public static final String API_KEYS_TABLE = "SPILLWAY_AUTH_KEYS_TABLE";
    public static final String REDIS_HOSTS = "QUARKUS_REDIS_HOSTS";
    /** {@code spillway.models.default.served-name}: the model name clients send. */
    public static final String MODEL_SERVED_NAME = "SPILLWAY_MODELS_DEFAULT_SERVED_NAME";
    public static final String MODEL_ENGINE = "SPILLWAY_MODELS_DEFAULT_ENGINE";
    /** Worker only: where the engine reaches the model server. */
    public static final String MODEL_BASE_URL = "SPILLWAY_MODELS_DEFAULT_BASE_URL";
    /** Worker only: the name the model server serves under ({@code --served-model-name}). */
    public static final String MODEL_UPSTREAM = "SPILLWAY_MODELS_DEFAULT_UPSTREAM_MODEL";
    public static final String WORKER_CONCURRENCY = "SPILLWAY_WORKER_CONCURRENCY";
    /** {@code spillway.worker.tiers}: the tiers a worker takes jobs from (all when unset). */
    public static final String WORKER_TIERS = "SPILLWAY_WORKER_TIERS";
    /** {@code spillway.files.bucket}: where batch input files arrive and their outputs are written. */
    public static final String FILES_BUCKET = "SPILLWAY_FILES_BUCKET";
    /** {@code spillway.ingest.queue-url}: the SQS ingest queue. */
    public static final String INGEST_QUEUE_URL = "SPILLWAY_INGEST_QUEUE_URL";
    /** {@code spillway.ingest.dlq-url}: where invalid ingest messages end, with their reason. */
    public static final String INGEST_DLQ_URL = "SPILLWAY_INGEST_DLQ_URL";
    /**
     * {@code spillway.webhooks.signing-secret-arn}: the Secrets Manager secret holding the master secret of webhook
     * signatures, read at run time. The secret itself never goes into an environment variable.
     */
    public static final String WEBHOOK_SIGNING_SECRET_ARN = "SPILLWAY_WEBHOOKS_SIGNING_SECRET_ARN";
    /** {@code spillway.intake.max-wait}: the longest wait budget the intake grants. */
    public static final String INTAKE_MAX_WAIT = "SPILLWAY_INTAKE_MAX_WAIT";
    /** {@code spillway.intake.default-wait}: the budget of a request that names none. */
    public static final String INTAKE_DEFAULT_WAIT = "SPILLWAY_INTAKE_DEFAULT_WAIT";
    /** {@code spillway.intake.max-body-bytes}: the largest chat-completion body. */
    public static final String INTAKE_MAX_BODY_BYTES = "SPILLWAY_INTAKE_MAX_BODY_BYTES";
    /** {@code spillway.batches.max-body-bytes}: the largest {@code POST /v1/batches} body. */
    public static final String BATCHES_MAX_BODY_BYTES = "SPILLWAY_BATCHES_MAX_BODY_BYTES";
    /** {@code quarkus.dynamodb.api-call-timeout}: the SDK's bound on one whole DynamoDB call. */
    public static final String DYNAMODB_CALL_TIMEOUT = "QUARKUS_DYNAMODB_API_CALL_TIMEOUT";
    /** {@code quarkus.sqs.api-call-timeout}: the SDK's bound on one whole SQS call. */
    public static final String SQS_CALL_TIMEOUT = "QUARKUS_SQS_API_CALL_TIMEOUT";
    /**
     * {@code spillway.worker.scale-in-protection}: the worker sets ECS task scale-in protection while it holds jobs
     * (through {@code $ECS_AGENT_URI/task-protection/v1/state}) and clears it when idle.
     */
    public static final String WORKER_SCALE_IN_PROTECTION = "SPILLWAY_WORKER_SCALE_IN_PROTECTION";
    /** {@code spillway.forecast.table}: the recorded arrivals, the forecast's history (the scheduler only). */
    public static final String FORECAST_TABLE = "SPILLWAY_FORECAST_TABLE";
    /** {@code spillway.prescale.enabled}: raise fleets' minimums ahead of a forecast rise. */
    public static final String PRESCALE_ENABLED = "SPILLWAY_PRESCALE_ENABLED";
    /** {@code spillway.prescale.gpu-hours-per-day}: the day's budget of task-hours above the deployed minimum. */
    public static final String PRESCALE_GPU_HOURS_PER_DAY = "SPILLWAY_PRESCALE_GPU_HOURS_PER_DAY";
    /** {@code spillway.prescale.mean-processing}: {@code meanProcessingSeconds}, one task's time per job. */
    public static final String PRESCALE_MEAN_PROCESSING = "SPILLWAY_PRESCALE_MEAN_PROCESSING";
    /** {@code spillway.prescale.cold-start}: {@code coldStartMaxSeconds}, how far ahead the floor rises. */
    public static final String PRESCALE_COLD_START = "SPILLWAY_PRESCALE_COLD_START";
    /** {@code spillway.fleet-floor.min-tasks}: {@code minTasks}, where a fleet's minimum returns. */
    public static final String FLEET_FLOOR_MIN_TASKS = "SPILLWAY_FLEET_FLOOR_MIN_TASKS";
    /** {@code spillway.fleet-floor.scalable-targets}: {@code <fleet>=service/<cluster>/<service>}, comma-separated. */
    public static final String FLEET_FLOOR_SCALABLE_TARGETS = "SPILLWAY_FLEET_FLOOR_SCALABLE_TARGETS";
    /** {@code quarkus.lambda.handler}: which {@code @Named} handler of the event-source app a function runs. */
    public static final String LAMBDA_HANDLER = "QUARKUS_LAMBDA_HANDLER";

    /** The engine that talks to vLLM's OpenAI-compatible server. */
    public static final String OPENAI_ENGINE = "openai";
    /** The vLLM sidecar shares the task's network namespace (awsvpc), so the worker reaches it on loopback. */
    public static final String SIDECAR_BASE_URL = "http://127.0.0.1:8000/v1";

    private RuntimeEnvironment() {
    }

    /**
     * Table, queue and cache settings of the apps that send to every fleet (the intake and the event functions): the
     * shared tier queues, and each model with queues of its own as {@code spillway.models.fleet<N>.*} (its name and
     * queues), so its jobs go there.
     */
    public static Map<String, String> shared(final ITable jobsTable, final PriorityQueues queues,
                                             final String redisHosts) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(JOBS_TABLE, jobsTable.getTableName());
        env.putAll(queueVariables(queues.shared(), null));
        int index = 1;
        for (FleetQueues fleet : queues.modelFleets()) {
            String key = "FLEET" + index++;
            env.put(modelVariable(key, "SERVED_NAME"), fleet.fleet());
            env.put(modelVariable(key, "ENGINE"), OPENAI_ENGINE);
            env.putAll(queueVariables(fleet, key));
        }
        env.put(REDIS_HOSTS, redisHosts);
        return env;
    }

    /**
     * Table, queue and cache settings of one fleet's workers: only that fleet's queues, so they read nothing else.
     * A model fleet's queues are those of the worker's one model ({@code spillway.models.default.queues.*}).
     */
    public static Map<String, String> fleetWorker(final ITable jobsTable, final FleetQueues fleet,
                                                  final String redisHosts) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(JOBS_TABLE, jobsTable.getTableName());
        env.putAll(queueVariables(fleet, fleet.isShared() ? null : "DEFAULT"));
        env.put(REDIS_HOSTS, redisHosts);
        return env;
    }

    /** @param modelKey the model's configuration key in upper case, or null for the shared queues */
    private static Map<String, String> queueVariables(final FleetQueues fleet, final String modelKey) {
        Map<String, String> env = new LinkedHashMap<>();
        for (TierQueue tier : fleet.tiers()) {
            if (modelKey == null) {
                env.put(tier.tier().urlVariable(), tier.queue().getQueueUrl());
                env.put(tier.tier().dlqUrlVariable(), tier.deadLetterQueue().getQueueUrl());
            } else {
                env.put(modelVariable(modelKey, "QUEUES_" + tier.tier().name() + "_URL"), tier.queue().getQueueUrl());
                env.put(modelVariable(modelKey, "QUEUES_" + tier.tier().name() + "_DLQ_URL"),
                        tier.deadLetterQueue().getQueueUrl());
            }
        }
        return env;
    }

    /** {@code spillway.models.<key>.<property>} as an environment variable. */
    public static String modelVariable(final String modelKey, final String property) {
        return "SPILLWAY_MODELS_" + modelKey + "_" + property;
    }

    /**
     * What only the intake reads: where idempotency keys are recorded, where API keys are looked up, where
     * batches are recorded, and the model name it admits (it refuses any other with {@code model_not_found}; it
     * never calls the engine).
     */
    public static Map<String, String> intake(final ITable idempotencyTable, final ITable apiKeysTable,
                                             final ITable batchesTable, final String modelName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(IDEMPOTENCY_TABLE, idempotencyTable.getTableName());
        env.put(BATCHES_TABLE, batchesTable.getTableName());
        env.put(API_KEYS_TABLE, apiKeysTable.getTableName());
        env.putAll(servedModel(modelName));
        return env;
    }

    /**
     * The intake's limits, pinned here so that the values the timeout check ({@link IntakeTimeouts#validate()})
     * and WAF's size rule reasoned about are the ones the function runs with: its wait budgets, its body limits and
     * its SDK call timeouts. The event functions keep their own, longer SDK timeouts.
     */
    public static Map<String, String> intakeLimits(final IntakeTimeouts timeouts, final long maxBodyBytes,
                                                   final long maxBatchBodyBytes) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(INTAKE_MAX_WAIT, seconds(timeouts.maxWaitSec()));
        env.put(INTAKE_DEFAULT_WAIT, seconds(timeouts.defaultWaitSec()));
        env.put(INTAKE_MAX_BODY_BYTES, Long.toString(maxBodyBytes));
        env.put(BATCHES_MAX_BODY_BYTES, Long.toString(maxBatchBodyBytes));
        env.put(DYNAMODB_CALL_TIMEOUT, seconds(timeouts.dynamoCallTimeoutSec()));
        env.put(SQS_CALL_TIMEOUT, seconds(timeouts.sqsCallTimeoutSec()));
        return env;
    }

    /** A duration as Quarkus reads it: ISO-8601, e.g. {@code PT20S}. */
    public static String seconds(final int value) {
        return java.time.Duration.ofSeconds(value).toString();
    }

    /** What the event-source functions read besides the intake's settings: the files bucket and the ingest queue. */
    public static Map<String, String> events(final String filesBucket, final String ingestQueueUrl,
                                             final String ingestDlqUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(FILES_BUCKET, filesBucket);
        env.put(INGEST_QUEUE_URL, ingestQueueUrl);
        env.put(INGEST_DLQ_URL, ingestDlqUrl);
        return env;
    }

    /**
     * What only the worker reads: the served model and how to reach it through the vLLM sidecar, how many jobs it
     * runs at once, and that it protects its task from scale-in while it holds jobs.
     *
     * @param modelName         the name clients send
     * @param upstreamModelName the name vLLM serves under (its {@code --served-model-name})
     */
    public static Map<String, String> worker(final String modelName, final String upstreamModelName,
                                             final int workerConcurrency) {
        Map<String, String> env = new LinkedHashMap<>(servedModel(modelName));
        env.put(MODEL_BASE_URL, SIDECAR_BASE_URL);
        env.put(MODEL_UPSTREAM, upstreamModelName);
        env.put(WORKER_CONCURRENCY, Integer.toString(workerConcurrency));
        env.put(WORKER_SCALE_IN_PROTECTION, "true");
        return env;
    }

    /**
     * The one model a deployment serves, configured as {@code spillway.models.default.*} and served under
     * {@code modelName}; the intake and the worker must agree on it.
     */
    private static Map<String, String> servedModel(final String modelName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(MODEL_SERVED_NAME, modelName);
        env.put(MODEL_ENGINE, OPENAI_ENGINE);
        return env;
    }
}
