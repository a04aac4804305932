package dev.spillway.infra.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.infra.data.ObjectAccess;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerDependency;
import software.amazon.awscdk.services.ecs.ContainerDependencyCondition;
import software.amazon.awscdk.services.ecs.Ec2TaskDefinition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.Host;
import software.amazon.awscdk.services.ecs.LinuxParameters;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.MountPoint;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.Volume;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The GPU task ({@code Resource}): a {@code vllm} container serving the model on port 8000 and the
 * {@code worker} container (gpu-backend) that drains the tier queues into it. {@code awsvpc} networking puts
 * both in one network namespace, so the worker reaches vLLM on 127.0.0.1. The worker starts only once vLLM
 * reports healthy, and gets 120 s after SIGTERM to finish or release its jobs; ECS stops it before vLLM.
 *
 * <p>With weights from S3, a short-lived {@code weights} container first copies {@code s3://<models>/<served name>/}
 * to the instance (kept across task restarts there, so a warm instance copies only what changed) and vLLM loads that
 * folder with Hugging Face switched off. Images come through {@link MirroredImages}.
 */
public final class InferenceTaskDefinition extends Construct {

    public static final int VLLM_PORT = 8000;
    public static final int WORKER_PORT = 8080;
    static final Duration WORKER_STOP_TIMEOUT = Duration.seconds(120);
    /** Model weights survive task restarts on the same instance. */
    static final String HF_CACHE_HOST_PATH = "/var/lib/spillway/huggingface";
    /** Weights copied from the models bucket, one folder per served model. */
    static final String MODELS_HOST_PATH = "/var/lib/spillway/models";
    static final String MODELS_PATH = "/models";

    private final Ec2TaskDefinition taskDefinition;
    private final ContainerDefinition vllm;
    private final ContainerDefinition worker;
    private final MirroredImages images;

    /**
     * @param settings     where the weights and images come from, the worker image
     * @param model        what this fleet serves: model, engine image and flags, GPUs per task
     * @param workerEnv    the worker's complete environment
     */
    public InferenceTaskDefinition(final Construct scope, final String id, final FleetStackProps settings,
                                   final ModelFleetSettings model, final Map<String, String> workerEnv) {
        super(scope, id);

        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        this.taskDefinition = Ec2TaskDefinition.Builder.create(this, "Resource")
                .networkMode(NetworkMode.AWS_VPC)
                .volumes(List.of(
                        Volume.builder()
                                .name("huggingface-cache")
                                .host(Host.builder().sourcePath(HF_CACHE_HOST_PATH).build())
                                .build(),
                        Volume.builder()
                                .name("models")
                                .host(Host.builder().sourcePath(MODELS_HOST_PATH).build())
                                .build()))
                .build();
        this.images = new MirroredImages(this, "Images", taskDefinition.obtainExecutionRole(),
                settings.getDockerHubSecretArn());
        // Tasks cannot ask the instance metadata for their region (it is blocked), so they are told.
        String region = Stack.of(this).getRegion();
        String modelName = model.servedName();
        ContainerDefinition weights = null;
        if (settings.isWeightsFromS3()) {
            weights = taskDefinition.addContainer("weights", ContainerDefinitionOptions.builder()
                    .image(images.image(settings.getAwsCliImage()))
                    .memoryReservationMiB(512)
                    .essential(false)
                    .environment(Map.of("AWS_REGION", region, "AWS_DEFAULT_REGION", region))
                    .command(List.of("s3", "sync", "s3://" + settings.getModelBucket().getBucketName() + "/"
                            + modelName + "/", MODELS_PATH + "/" + modelName + "/", "--only-show-errors"))
                    .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("weights")
                            .build()))
                    .build());
            weights.addMountPoints(MountPoint.builder()
                    .sourceVolume("models").containerPath(MODELS_PATH).readOnly(false).build());
            ObjectAccess.grant(taskDefinition.getTaskRole(), settings.getModelBucket(), modelName + "/",
                    ObjectAccess.READ);
            ObjectAccess.grantListUnder(taskDefinition.getTaskRole(), settings.getModelBucket(), modelName + "/");
        }

        LinuxParameters linux = LinuxParameters.Builder.create(this, "VllmLinuxParameters")
                .sharedMemorySize(2048)
                .build();
        this.vllm = taskDefinition.addContainer("vllm", ContainerDefinitionOptions.builder()
                .image(images.image(model.vllmImage()))
                .gpuCount(model.gpuCount())
                .memoryReservationMiB(10_240)
                .essential(true)
                // From S3 the folder holds everything vLLM needs: nothing may reach out to Hugging Face.
                .environment(settings.isWeightsFromS3() ? Map.of("HF_HUB_OFFLINE", "1") : Map.of())
                .command(vllmCommand(settings, model))
                .portMappings(List.of(PortMapping.builder().containerPort(VLLM_PORT).build()))
                .linuxParameters(linux)
                .healthCheck(HealthCheck.builder()
                        .command(List.of("CMD-SHELL", "python3 -c \"import urllib.request; "
                                + "urllib.request.urlopen('http://127.0.0.1:" + VLLM_PORT + "/health', timeout=5)\""
                                + " || exit 1"))
                        .interval(Duration.seconds(30))
                        .timeout(Duration.seconds(10))
                        .retries(10)
                        // Image pull, weight download and CUDA graph capture take minutes on a cold instance.
                        .startPeriod(Duration.seconds(300))
                        .build())
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("vllm").build()))
                .build());
        vllm.addMountPoints(MountPoint.builder()
                .sourceVolume("huggingface-cache")
                .containerPath("/root/.cache/huggingface")
                .readOnly(false)
                .build());
        if (weights != null) {
            vllm.addMountPoints(MountPoint.builder()
                    .sourceVolume("models").containerPath(MODELS_PATH).readOnly(true).build());
            vllm.addContainerDependencies(ContainerDependency.builder()
                    .container(weights)
                    .condition(ContainerDependencyCondition.SUCCESS)
                    .build());
        }

        this.worker = taskDefinition.addContainer("worker", ContainerDefinitionOptions.builder()
                .image(settings.getWorkerImage().image())
                .memoryReservationMiB(1024)
                .essential(true)
                .environment(withRegion(workerEnv, region))
                .stopTimeout(WORKER_STOP_TIMEOUT)
                .portMappings(List.of(PortMapping.builder().containerPort(WORKER_PORT).build()))
                .healthCheck(HealthCheck.builder()
                        .command(List.of("CMD-SHELL",
                                "curl -fsS http://127.0.0.1:" + WORKER_PORT + "/q/health/live || exit 1"))
                        .interval(Duration.seconds(15))
                        .timeout(Duration.seconds(5))
                        .retries(3)
                        .startPeriod(Duration.seconds(60))
                        .build())
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("worker").build()))
                .build());
        worker.addContainerDependencies(ContainerDependency.builder()
                .container(vllm)
                .condition(ContainerDependencyCondition.HEALTHY)
                .build());
    }

    /** vLLM's flags: the model, where to serve, its GPUs (tensor parallelism above one), then the model's own flags. */
    private static List<String> vllmCommand(final FleetStackProps settings, final ModelFleetSettings model) {
        List<String> command = new ArrayList<>(List.of(
                "--model", settings.isWeightsFromS3() ? MODELS_PATH + "/" + model.servedName()
                        : model.huggingFaceModel(),
                "--served-model-name", model.servedName(),
                "--host", "0.0.0.0",
                "--port", Integer.toString(VLLM_PORT),
                "--max-model-len", Integer.toString(settings.getMaxModelLength()),
                "--gpu-memory-utilization", "0.90"));
        if (model.gpuCount() > 1) {
            command.addAll(List.of("--tensor-parallel-size", Integer.toString(model.gpuCount())));
        }
        command.addAll(model.engineArgs());
        return command;
    }

    private static Map<String, String> withRegion(final Map<String, String> env, final String region) {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("AWS_REGION", region);
        return all;
    }

    public Ec2TaskDefinition taskDefinition() {
        return taskDefinition;
    }

    public ContainerDefinition vllm() {
        return vllm;
    }

    public ContainerDefinition worker() {
        return worker;
    }
}
