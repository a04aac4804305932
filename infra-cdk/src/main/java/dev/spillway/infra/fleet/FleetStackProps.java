package dev.spillway.infra.fleet;

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

    IVpc getVpc();

    /** Security group of the worker tasks' ENIs (the cache admits it). */
    ISecurityGroup getFleetSecurityGroup();

    ITable getJobsTable();

    PriorityQueues getQueues();

    IBucket getPayloadBucket();

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

    /** Run the GPU instances on Spot (cheaper, interruptible; SQS redelivers interrupted jobs). */
    boolean isSpot();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private IVpc vpc;
        private ISecurityGroup fleetSecurityGroup;
        private ITable jobsTable;
        private PriorityQueues queues;
        private IBucket payloadBucket;
        private String redisHosts;
        private WorkerImage workerImage;
        private boolean requireArtifacts;
        private String vllmImage = DEFAULT_VLLM_IMAGE;
        private String servedModelName = DEFAULT_SERVED_MODEL;
        private String huggingFaceModel = DEFAULT_HUGGING_FACE_MODEL;
        private int maxModelLength = 8192;
        private CapacitySettings capacity = CapacitySettings.defaults();
        private boolean spot;
        private String description;

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

        public Builder payloadBucket(final IBucket value) {
            this.payloadBucket = value;
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

        public Builder spot(final boolean value) {
            this.spot = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public FleetStackProps build() {
            return new Values(vpc, fleetSecurityGroup, jobsTable, queues, payloadBucket, redisHosts, workerImage,
                    requireArtifacts, vllmImage, servedModelName, huggingFaceModel, maxModelLength, capacity, spot,
                    description);
        }
    }

    record Values(IVpc getVpc, ISecurityGroup getFleetSecurityGroup, ITable getJobsTable, PriorityQueues getQueues,
                  IBucket getPayloadBucket, String getRedisHosts, WorkerImage getWorkerImage, boolean isRequireArtifacts,
                  String getVllmImage,
                  String getServedModelName, String getHuggingFaceModel, int getMaxModelLength,
                  CapacitySettings getCapacity, boolean isSpot, String getDescription)
            implements FleetStackProps {
    }
}
