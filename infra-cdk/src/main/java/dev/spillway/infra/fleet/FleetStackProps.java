package dev.spillway.infra.fleet;

import java.util.ArrayList;
import java.util.List;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.data.PriorityQueues;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.s3.IBucket;

/** What {@link FleetStack} needs: where to run, what to drain, which model to serve, how to scale. */
public interface FleetStackProps extends StackProps {

    /** vLLM image, pinned; {@code latest} would change the engine under a running deployment. */
    String DEFAULT_VLLM_IMAGE = "vllm/vllm-openai:v0.11.0";
    String DEFAULT_SERVED_MODEL = "deepseek-r1-distill-qwen-7b";
    String DEFAULT_HUGGING_FACE_MODEL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B";
    /** Same 24 GB of GPU memory (A10G instead of L4): when g6 capacity is short, the fleet still starts. */
    List<String> DEFAULT_FALLBACK_INSTANCE_TYPES = List.of("g5.xlarge");
    /** The AWS CLI image that copies weights from S3, pinned, pulled through the ECR Public cache. */
    String DEFAULT_AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.22.0";

    IVpc getVpc();

    /** Security group of the worker tasks' ENIs (the cache admits it). */
    ISecurityGroup getFleetSecurityGroup();

    ITable getJobsTable();

    PriorityQueues getQueues();

    /** Model weights, one prefix per served model; read by the task only when {@link #isWeightsFromS3()}. */
    IBucket getModelBucket();

    /** {@code rediss://host:port} of the cache. */
    String getRedisHosts();

    /** Image of the gpu-backend worker, or a placeholder that says why there is none. */
    WorkerImage getWorkerImage();

    /** Fail synthesis instead of deploying a placeholder worker image. */
    boolean isRequireArtifacts();

    String getVllmImage();

    /** Model name clients send and vLLM serves under ({@code --served-model-name}). */
    String getServedModelName();

    /** Hugging Face id vLLM downloads and loads. */
    String getHuggingFaceModel();

    /** Longest context vLLM accepts; bounds KV-cache memory on a 24 GB GPU. */
    int getMaxModelLength();

    /**
     * Instance type, fleet size (one GPU task per single-GPU instance), the worker's concurrency
     * ({@code SPILLWAY_WORKER_CONCURRENCY}) and the scaling targets and cooldowns: the numbers the capacity planner
     * simulates.
     */
    CapacitySettings getCapacity();

    /**
     * Every model's fleet, the first being the one described by the single-model properties above (served name, Hugging
     * Face id, vLLM image, capacity), whose jobs use the shared tier queues; each other model must have been given
     * queues of its own ({@link PriorityQueues#addModelFleet}).
     */
    List<ModelFleetSettings> getModels();

    /** GPU types tried in order when the capacity settings' instance type has no capacity. */
    List<String> getFallbackInstanceTypes();

    /** Run the GPU instances above {@link #getOnDemandBaseTasks()} on Spot (SQS redelivers interrupted jobs). */
    boolean isSpot();

    /** With Spot, the first instances that stay on demand, so some capacity survives a Spot reclaim. */
    int getOnDemandBaseTasks();

    /**
     * Most tasks of each model's Spot service for the batch tier alone, 0 for none: Spot instances only, workers that
     * read the batch queue only, scaled on its backlog from zero.
     */
    int getBatchSpotMaxTasks();

    /** Instances above the most tasks, so a rolling deploy at full size can place its new tasks. */
    int getDeployHeadroom();

    /**
     * ARN of a Secrets Manager secret ({@code ecr-pullthroughcache/...}) holding Docker Hub credentials; when set, the
     * vLLM image is pulled through an ECR pull-through cache. Blank otherwise.
     */
    String getDockerHubSecretArn();

    /** vLLM loads the weights from {@link #getModelBucket()} instead of downloading them from Hugging Face. */
    boolean isWeightsFromS3();

    /** The AWS CLI image that copies the weights (its registry path is mirrored through ECR). */
    String getAwsCliImage();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private IVpc vpc;
        private ISecurityGroup fleetSecurityGroup;
        private ITable jobsTable;
        private PriorityQueues queues;
        private IBucket modelBucket;
        private String redisHosts;
        private WorkerImage workerImage;
        private boolean requireArtifacts;
        private String vllmImage = DEFAULT_VLLM_IMAGE;
        private String servedModelName = DEFAULT_SERVED_MODEL;
        private String huggingFaceModel = DEFAULT_HUGGING_FACE_MODEL;
        private int maxModelLength = 8192;
        private CapacitySettings capacity = CapacitySettings.defaults();
        private boolean spot;
        private List<String> fallbackInstanceTypes = DEFAULT_FALLBACK_INSTANCE_TYPES;
        private int onDemandBaseTasks = 1;
        private int batchSpotMaxTasks;
        private int deployHeadroom = 1;
        private String dockerHubSecretArn = "";
        private boolean weightsFromS3;
        private String awsCliImage = DEFAULT_AWS_CLI_IMAGE;
        private String description;
        private List<ModelFleetSettings> moreModels = List.of();

        /** Models beyond the first, each with a fleet (and queues) of its own. */
        public Builder moreModels(final List<ModelFleetSettings> value) {
            this.moreModels = List.copyOf(value);
            return this;
        }

        public Builder vpc(final IVpc value) {
            this.vpc = value;
            return this;
        }

        public Builder fleetSecurityGroup(final ISecurityGroup value) {
            this.fleetSecurityGroup = value;
            return this;
        }

        public Builder jobsTable(final ITable value) {
            this.jobsTable = value;
            return this;
        }

        public Builder queues(final PriorityQueues value) {
            this.queues = value;
            return this;
        }

        public Builder modelBucket(final IBucket value) {
            this.modelBucket = value;
            return this;
        }

        public Builder fallbackInstanceTypes(final List<String> value) {
            this.fallbackInstanceTypes = List.copyOf(value);
            return this;
        }

        public Builder onDemandBaseTasks(final int value) {
            this.onDemandBaseTasks = value;
            return this;
        }

        public Builder deployHeadroom(final int value) {
            this.deployHeadroom = value;
            return this;
        }

        public Builder dockerHubSecretArn(final String value) {
            this.dockerHubSecretArn = value == null ? "" : value;
            return this;
        }

        public Builder weightsFromS3(final boolean value) {
            this.weightsFromS3 = value;
            return this;
        }

        public Builder awsCliImage(final String value) {
            this.awsCliImage = value;
            return this;
        }

        public Builder redisHosts(final String value) {
            this.redisHosts = value;
            return this;
        }

        public Builder workerImage(final WorkerImage value) {
            this.workerImage = value;
            return this;
        }

        public Builder requireArtifacts(final boolean value) {
            this.requireArtifacts = value;
            return this;
        }

        public Builder vllmImage(final String value) {
            this.vllmImage = value;
            return this;
        }

        public Builder servedModelName(final String value) {
            this.servedModelName = value;
            return this;
        }

        public Builder huggingFaceModel(final String value) {
            this.huggingFaceModel = value;
            return this;
        }

        public Builder maxModelLength(final int value) {
            this.maxModelLength = value;
            return this;
        }

        public Builder capacity(final CapacitySettings value) {
            this.capacity = value;
            return this;
        }

        public Builder batchSpotMaxTasks(final int value) {
            this.batchSpotMaxTasks = value;
            return this;
        }

        public Builder spot(final boolean value) {
            this.spot = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public FleetStackProps build() {
            List<ModelFleetSettings> models = new ArrayList<>();
            models.add(ModelFleetSettings.of(servedModelName, huggingFaceModel, vllmImage, capacity));
            models.addAll(moreModels);
            return new Values(vpc, fleetSecurityGroup, jobsTable, queues, modelBucket, redisHosts, workerImage,
                    requireArtifacts, vllmImage, servedModelName, huggingFaceModel, maxModelLength, capacity, spot,
                    fallbackInstanceTypes, onDemandBaseTasks, batchSpotMaxTasks, deployHeadroom, dockerHubSecretArn,
                    weightsFromS3, awsCliImage, description, List.copyOf(models));
        }
    }

    record Values(IVpc getVpc, ISecurityGroup getFleetSecurityGroup, ITable getJobsTable, PriorityQueues getQueues,
                  IBucket getModelBucket, String getRedisHosts, WorkerImage getWorkerImage, boolean isRequireArtifacts,
                  String getVllmImage,
                  String getServedModelName, String getHuggingFaceModel, int getMaxModelLength,
                  CapacitySettings getCapacity, boolean isSpot, List<String> getFallbackInstanceTypes,
                  int getOnDemandBaseTasks, int getBatchSpotMaxTasks, int getDeployHeadroom,
                  String getDockerHubSecretArn,
                  boolean isWeightsFromS3, String getAwsCliImage, String getDescription,
                  List<ModelFleetSettings> getModels)
            implements FleetStackProps {
    }
}
