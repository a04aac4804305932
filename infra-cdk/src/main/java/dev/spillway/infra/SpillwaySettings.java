package dev.spillway.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.ContextValues;
import dev.spillway.infra.api.ConcurrencyBudget;
import dev.spillway.infra.api.IntakeTimeouts;
import dev.spillway.infra.api.WebAdapter;
import dev.spillway.infra.fleet.FleetStackProps;
import dev.spillway.infra.fleet.ModelFleetSettings;
import software.constructs.Node;

/**
 * Deployment choices read from CDK context ({@code cdk.json} or {@code -c key=value}). Every key has a default
 * so that a bare {@code mvn compile exec:java} synthesizes; values given with {@code -c} arrive as strings.
 *
 * @param nativeImage          {@code native}: the function zips hold a native {@code bootstrap}; without the key,
 *                             whether the intake's zip does (what {@code native-build/build.sh} leaves there)
 * @param functionZip          {@code functionZip}: path of the intake's {@code function.zip}
 * @param eventsFunctionZip    {@code eventsFunctionZip}: path of the event-source functions' {@code function.zip}
 * @param requireArtifacts     {@code requireArtifacts}: fail synthesis instead of using placeholders
 * @param workerImage          {@code workerImage}: image URI of the gpu-backend worker, or empty to build
 *                             {@code workerContext} as a Docker asset
 * @param workerContext        {@code workerContext}: gpu-backend folder holding the worker Dockerfile
 * @param workerDockerfile     {@code workerDockerfile}: Dockerfile path inside {@code workerContext}
 * @param vllmImage            {@code vllmImage}: pinned vLLM OpenAI-server image
 * @param modelName            {@code modelName}: model name clients send and vLLM serves under
 * @param huggingFaceModel     {@code huggingFaceModel}: Hugging Face id of the weights
 * @param capacity             fleet size and scaling, and the intake's reserved concurrency: the keys of
 *                             {@link CapacitySettings}, which the capacity planner reads too
 * @param spot                 {@code spot}: run GPU instances on Spot
 * @param maxReceiveCount      {@code maxReceiveCount}: deliveries before a message is dead-lettered
 * @param tracing              {@code tracing}: X-Ray tracing on the API stage and active tracing on every function
 * @param alarmEmail           {@code alarmEmail}: address subscribed to alarms, absent for none
 * @param maxWaitSec           {@code maxWaitSeconds}: longest wait budget the intake grants ({@code spillway.intake.max-wait});
 *                             must nest inside the stream limit (see {@code IntakeTimeouts})
 * @param throttleRate         {@code apiThrottleRate}: requests per second the API stage admits
 * @param throttleBurst        {@code apiThrottleBurst}: requests the stage admits at once above the rate
 * @param batchFilesConcurrency {@code batchFilesConcurrency}: reserved concurrency of the batch-files function
 * @param ingestConcurrency    {@code ingestConcurrency}: reserved concurrency of the ingest function (and the most
 *                             concurrent batches its queue trigger runs)
 * @param notifierConcurrency  {@code notifierConcurrency}: reserved concurrency of the webhook notifier
 * @param schedulerConcurrency {@code schedulerConcurrency}: reserved concurrency of the scheduler
 * @param wafRequestsPerIp     {@code wafRequestsPerIp}: requests one client IP may make in five minutes before WAF
 *                             blocks it
 * @param domainName           {@code domainName}: custom domain of the API, absent for the execute-api URL only
 * @param certificateArn       {@code certificateArn}: ACM certificate of {@code domainName}, in the stack's region
 * @param natPerAz             {@code natPerAz}: a NAT gateway in each AZ instead of one
 * @param interfaceEndpoints   {@code interfaceEndpoints}: interface endpoints for SQS, CloudWatch, ECR, ECS, Secrets
 *                             Manager (and X-Ray with tracing), so the hot path does not cross the NAT
 * @param fallbackInstanceTypes {@code fallbackInstanceTypes}: GPU types tried, in order, when {@code instanceType}
 *                             has no capacity (comma-separated)
 * @param onDemandBaseTasks    {@code onDemandBaseTasks}: with {@code spot}, the first GPU instances that stay on demand
 * @param batchSpotMaxTasks    {@code batchSpotMaxTasks}: most tasks of each model's Spot service for the batch tier
 *                             alone, 0 for none
 * @param deployHeadroom       {@code deployHeadroom}: GPU instances above {@code maxTasks}, so a rolling deploy at
 *                             full size can start new tasks before it stops old ones
 * @param dockerHubSecretArn   {@code dockerHubSecretArn}: ARN of a Secrets Manager secret (name prefix
 *                             {@code ecr-pullthroughcache/}) with Docker Hub credentials: the vLLM image is then pulled
 *                             through an ECR pull-through cache; absent to pull {@code vllmImage} as given
 * @param weightsFromS3        {@code weightsFromS3}: vLLM loads the weights from the models bucket (through the S3
 *                             gateway endpoint) instead of downloading them from Hugging Face
 * @param maxStreamSec         {@code maxStreamSeconds}: the longest one streamed answer may run, the intake's Lambda
 *                             and integration timeouts (see {@code IntakeTimeouts}); the concurrency budget pays for it
 * @param webAdapterLayerVersion {@code webAdapterLayerVersion}: version of the AWS Lambda Web Adapter's public layer the
 *                             intake runs behind
 * @param moreModels           {@code models}: further models, each with a fleet of its own: a list of objects with
 *                             {@code name}, {@code huggingFaceModel}, and optionally {@code vllmImage},
 *                             {@code engineArgs} (a list), {@code gpuCount} and any {@link CapacitySettings} key
 *                             (unset ones take the deployment's); see {@link #models()}
 */
public record SpillwaySettings(boolean nativeImage, Path functionZip, Path eventsFunctionZip, boolean requireArtifacts, String workerImage,
                               Path workerContext, String workerDockerfile, String vllmImage, String modelName,
                               String huggingFaceModel, CapacitySettings capacity, boolean spot,
                               int maxReceiveCount, boolean tracing, String alarmEmail,
                               int maxWaitSec, int throttleRate, int throttleBurst,
                               int batchFilesConcurrency, int ingestConcurrency, int notifierConcurrency,
                               int schedulerConcurrency, int wafRequestsPerIp, String domainName, String certificateArn,
                               boolean natPerAz, boolean interfaceEndpoints, List<String> fallbackInstanceTypes,
                               int onDemandBaseTasks, int batchSpotMaxTasks, int deployHeadroom,
                               String dockerHubSecretArn, boolean weightsFromS3, int maxStreamSec,
                               int webAdapterLayerVersion, List<ModelFleetSettings> moreModels) {

    public static SpillwaySettings from(final Node node) {
        Path functionZip = Path.of(string(node, "functionZip", "../functions/intake-lambda/target/function.zip"));
        return new SpillwaySettings(
                bool(node, "native", holdsBootstrap(functionZip)),
                functionZip,
                Path.of(string(node, "eventsFunctionZip", "../functions/events/target/function.zip")),
                bool(node, "requireArtifacts", false),
                string(node, "workerImage", ""),
                Path.of(string(node, "workerContext", "../gpu-backend")),
                string(node, "workerDockerfile", "src/main/docker/Dockerfile.jvm"),
                string(node, "vllmImage", FleetStackProps.DEFAULT_VLLM_IMAGE),
                string(node, "modelName", FleetStackProps.DEFAULT_SERVED_MODEL),
                string(node, "huggingFaceModel", FleetStackProps.DEFAULT_HUGGING_FACE_MODEL),
                CapacitySettings.fromContext(node::tryGetContext),
                bool(node, "spot", false),
                integer(node, "maxReceiveCount", 5),
                bool(node, "tracing", true),
                string(node, "alarmEmail", ""),
                integer(node, "maxWaitSeconds", IntakeTimeouts.DEFAULT_MAX_WAIT_SECONDS),
                integer(node, "apiThrottleRate", ConcurrencyBudget.DEFAULT_THROTTLE_RATE),
                integer(node, "apiThrottleBurst", ConcurrencyBudget.DEFAULT_THROTTLE_BURST),
                integer(node, "batchFilesConcurrency", ConcurrencyBudget.DEFAULT_BATCH_FILES),
                integer(node, "ingestConcurrency", ConcurrencyBudget.DEFAULT_INGEST),
                integer(node, "notifierConcurrency", ConcurrencyBudget.DEFAULT_NOTIFIER),
                integer(node, "schedulerConcurrency", ConcurrencyBudget.DEFAULT_SCHEDULER),
                integer(node, "wafRequestsPerIp", 1500),
                string(node, "domainName", ""),
                string(node, "certificateArn", ""),
                bool(node, "natPerAz", false),
                bool(node, "interfaceEndpoints", true),
                list(node, "fallbackInstanceTypes", FleetStackProps.DEFAULT_FALLBACK_INSTANCE_TYPES),
                integer(node, "onDemandBaseTasks", 1),
                integer(node, "batchSpotMaxTasks", 0),
                integer(node, "deployHeadroom", 1),
                string(node, "dockerHubSecretArn", ""),
                bool(node, "weightsFromS3", true),
                integer(node, "maxStreamSeconds", IntakeTimeouts.DEFAULT_STREAM_SECONDS),
                integer(node, "webAdapterLayerVersion", WebAdapter.LAYER_VERSION),
                moreModels(node));
    }

    /**
     * The one list of models this deployment serves, a fleet each: the first from {@code modelName},
     * {@code huggingFaceModel}, {@code vllmImage} and the capacity keys (its jobs use the shared tier queues), then
     * each of {@code models}.
     */
    public List<ModelFleetSettings> models() {
        List<ModelFleetSettings> models = new ArrayList<>();
        models.add(ModelFleetSettings.of(modelName, huggingFaceModel, vllmImage, capacity));
        models.addAll(moreModels);
        return List.copyOf(models);
    }

    /** The {@code models} context value: a list (from {@code cdk.json}) or its JSON text (from {@code -c}). */
    @SuppressWarnings("unchecked")
    private static List<ModelFleetSettings> moreModels(final Node node) {
        Object value = node.tryGetContext("models");
        if (value == null || (value instanceof String text && text.isBlank())) {
            return List.of();
        }
        List<Object> entries;
        try {
            entries = value instanceof String text ? new ObjectMapper().readValue(text, List.class) : (List<Object>) value;
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("context 'models' must be a list of objects: " + e.getMessage(), e);
        }
        List<ModelFleetSettings> models = new ArrayList<>();
        for (Object entry : entries) {
            Map<String, Object> model = (Map<String, Object>) entry;
            Function<String, Object> keys = key -> model.containsKey(key) ? model.get(key) : node.tryGetContext(key);
            Object args = model.getOrDefault("engineArgs", List.of());
            models.add(new ModelFleetSettings(
                    ContextValues.string(key -> model.get(key), "name", ""),
                    ContextValues.string(key -> model.get(key), "huggingFaceModel", ""),
                    ContextValues.string(key -> model.get(key), "vllmImage", string(node, "vllmImage",
                            FleetStackProps.DEFAULT_VLLM_IMAGE)),
                    ((List<Object>) args).stream().map(String::valueOf).toList(),
                    ContextValues.integer(key -> model.get(key), "gpuCount", 1),
                    CapacitySettings.fromContext(keys)));
        }
        return models;
    }

    /** The Lambda concurrency each function may hold, and what the API stage admits. */
    public ConcurrencyBudget concurrency() {
        return new ConcurrencyBudget(capacity.reservedConcurrency(), maxStreamSec, throttleRate, throttleBurst,
                batchFilesConcurrency, ingestConcurrency, notifierConcurrency, schedulerConcurrency);
    }

    /** The time limits of an intake request: the stream limit and the wait budgets that must nest inside it. */
    public IntakeTimeouts timeouts() {
        return IntakeTimeouts.of(maxStreamSec, maxWaitSec, (int) capacity.defaultWait().toSeconds());
    }

    /** Whether {@code zip} is a native Lambda package: a {@code bootstrap} executable for provided.al2023. */
    static boolean holdsBootstrap(final Path zip) {
        if (!Files.isRegularFile(zip)) {
            return false;
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            return file.getEntry("bootstrap") != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static String string(final Node node, final String key, final String fallback) {
        return ContextValues.string(node::tryGetContext, key, fallback);
    }

    private static boolean bool(final Node node, final String key, final boolean fallback) {
        return ContextValues.bool(node::tryGetContext, key, fallback);
    }

    private static int integer(final Node node, final String key, final int fallback) {
        return ContextValues.integer(node::tryGetContext, key, fallback);
    }

    private static List<String> list(final Node node, final String key, final List<String> fallback) {
        return ContextValues.list(node::tryGetContext, key, fallback);
    }
}
