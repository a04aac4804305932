package dev.spillway.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.capacity.ContextValues;
import dev.spillway.infra.fleet.FleetStackProps;
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
 * @param tracing              {@code tracing}: X-Ray active tracing on the intake
 * @param alarmEmail           {@code alarmEmail}: address subscribed to alarms, absent for none
 */
public record SpillwaySettings(boolean nativeImage, Path functionZip, Path eventsFunctionZip, boolean requireArtifacts, String workerImage,
                               Path workerContext, String workerDockerfile, String vllmImage, String modelName,
                               String huggingFaceModel, CapacitySettings capacity, boolean spot,
                               int maxReceiveCount, boolean tracing, String alarmEmail) {

    public static SpillwaySettings from(final Node node) {
        Path functionZip = Path.of(string(node, "functionZip", "../functions/intake/target/function.zip"));
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
                ContextValues.integer(node::tryGetContext, "maxReceiveCount", 5),
                bool(node, "tracing", false),
                string(node, "alarmEmail", ""));
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
}
