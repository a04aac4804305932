package dev.spillway.infra.api;

import java.nio.file.Path;

import dev.spillway.infra.data.PriorityQueues;
import dev.spillway.infra.fleet.FleetStackProps;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;

/** What {@link ApiStack} wires the intake and the event-source functions to. */
public interface ApiStackProps extends StackProps {

    IVpc getVpc();

    ISecurityGroup getIntakeSecurityGroup();

    ITable getJobsTable();

    /** Each tenant's {@code Idempotency-Key}s; the intake reads and writes them, the worker never does. */
    ITable getIdempotencyTable();

    /** Hashed API keys; the intake only reads them (operators create keys with their own credentials). */
    ITable getApiKeysTable();

    /** The Batch API's batch records; the intake reads and writes them, the worker never does. */
    ITable getBatchesTable();

    PriorityQueues getQueues();

    /** Payloads and batch files: the batch-files function reads inputs from it and writes outputs beside them. */
    IBucket getPayloadBucket();

    /** The SQS ingest queue the ingest function drains. */
    IQueue getIngestQueue();

    /** Where the ingest function puts invalid messages with their reason. */
    IQueue getIngestDeadLetterQueue();

    /** {@code rediss://host:port} of the cache. */
    String getRedisHosts();

    /** Model name clients send; the intake refuses any other. Must match what the fleet serves. */
    String getModelName();

    /** Path of the intake's {@code function.zip}, relative to the working directory of synthesis. */
    Path getFunctionArtifact();

    /** Path of the event-source app's {@code function.zip}, relative to the working directory of synthesis. */
    Path getEventsArtifact();

    boolean isNativeImage();

    boolean isRequireArtifacts();

    int getMemorySizeMb();

    /** Reserved concurrency of every function, and the stage throttle that keeps the intake's within it. */
    ConcurrencyBudget getConcurrency();

    /** Integration timeout, Lambda timeout, SDK call timeouts and the intake's wait budgets. */
    IntakeTimeouts getTimeouts();

    /** Version of the AWS Lambda Web Adapter's layer the intake runs behind ({@link WebAdapter#LAYER_VERSION}). */
    int getWebAdapterLayerVersion();

    /** X-Ray on the stage and active tracing on every function. */
    boolean isTracing();

    /** Custom domain of the API, or blank for the execute-api URL only. */
    String getDomainName();

    /** ACM certificate of {@link #getDomainName()}, in the stack's region. */
    String getCertificateArn();

    /** Requests one client IP may make in five minutes before WAF answers 429. */
    int getWafRequestsPerIp();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private IVpc vpc;
        private ISecurityGroup intakeSecurityGroup;
        private ITable jobsTable;
        private ITable idempotencyTable;
        private ITable apiKeysTable;
        private ITable batchesTable;
        private PriorityQueues queues;
        private IBucket payloadBucket;
        private IQueue ingestQueue;
        private IQueue ingestDeadLetterQueue;
        private String redisHosts;
        private String modelName = FleetStackProps.DEFAULT_SERVED_MODEL;
        private Path functionArtifact = Path.of("../functions/intake-lambda/target/function.zip");
        private Path eventsArtifact = Path.of("../functions/events/target/function.zip");
        private boolean nativeImage;
        private boolean requireArtifacts;
        private int memorySizeMb = 2048;
        private ConcurrencyBudget concurrency = new ConcurrencyBudget(ConcurrencyBudget.DEFAULT_INTAKE,
                IntakeTimeouts.DEFAULT_STREAM_SECONDS, ConcurrencyBudget.DEFAULT_THROTTLE_RATE,
                ConcurrencyBudget.DEFAULT_THROTTLE_BURST, ConcurrencyBudget.DEFAULT_BATCH_FILES,
                ConcurrencyBudget.DEFAULT_INGEST, ConcurrencyBudget.DEFAULT_NOTIFIER, ConcurrencyBudget.DEFAULT_SCHEDULER);
        private IntakeTimeouts timeouts = IntakeTimeouts.withWaits(IntakeTimeouts.DEFAULT_MAX_WAIT_SECONDS,
                IntakeTimeouts.DEFAULT_MAX_WAIT_SECONDS);
        private boolean tracing = true;
        private String domainName = "";
        private String certificateArn = "";
        private int wafRequestsPerIp = 1500;
        private int webAdapterLayerVersion = WebAdapter.LAYER_VERSION;
        private String description;

        public Builder vpc(final IVpc value) {
            this.vpc = value;
            return this;
        }

        public Builder intakeSecurityGroup(final ISecurityGroup value) {
            this.intakeSecurityGroup = value;
            return this;
        }

        public Builder jobsTable(final ITable value) {
            this.jobsTable = value;
            return this;
        }

        public Builder idempotencyTable(final ITable value) {
            this.idempotencyTable = value;
            return this;
        }

        public Builder apiKeysTable(final ITable value) {
            this.apiKeysTable = value;
            return this;
        }

        public Builder batchesTable(final ITable value) {
            this.batchesTable = value;
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

        public Builder ingestQueue(final IQueue queue, final IQueue deadLetterQueue) {
            this.ingestQueue = queue;
            this.ingestDeadLetterQueue = deadLetterQueue;
            return this;
        }

        public Builder eventsArtifact(final Path value) {
            this.eventsArtifact = value;
            return this;
        }

        public Builder redisHosts(final String value) {
            this.redisHosts = value;
            return this;
        }

        public Builder modelName(final String value) {
            this.modelName = value;
            return this;
        }

        public Builder functionArtifact(final Path value) {
            this.functionArtifact = value;
            return this;
        }

        public Builder nativeImage(final boolean value) {
            this.nativeImage = value;
            return this;
        }

        public Builder requireArtifacts(final boolean value) {
            this.requireArtifacts = value;
            return this;
        }

        public Builder memorySizeMb(final int value) {
            this.memorySizeMb = value;
            return this;
        }

        public Builder concurrency(final ConcurrencyBudget value) {
            this.concurrency = value;
            return this;
        }

        public Builder timeouts(final IntakeTimeouts value) {
            this.timeouts = value;
            return this;
        }

        public Builder customDomain(final String name, final String certificate) {
            this.domainName = name == null ? "" : name;
            this.certificateArn = certificate == null ? "" : certificate;
            return this;
        }

        public Builder wafRequestsPerIp(final int value) {
            this.wafRequestsPerIp = value;
            return this;
        }

        public Builder tracing(final boolean value) {
            this.tracing = value;
            return this;
        }

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public Builder webAdapterLayerVersion(final int value) {
            this.webAdapterLayerVersion = value;
            return this;
        }

        public ApiStackProps build() {
            return new Values(vpc, intakeSecurityGroup, jobsTable, idempotencyTable, apiKeysTable, batchesTable, queues,
                    payloadBucket, ingestQueue, ingestDeadLetterQueue, redisHosts, modelName, functionArtifact,
                    eventsArtifact, nativeImage, requireArtifacts,
                    memorySizeMb, concurrency, timeouts, tracing, domainName, certificateArn, wafRequestsPerIp, description,
                    webAdapterLayerVersion);
        }
    }

    record Values(IVpc getVpc, ISecurityGroup getIntakeSecurityGroup, ITable getJobsTable,
                  ITable getIdempotencyTable, ITable getApiKeysTable, ITable getBatchesTable, PriorityQueues getQueues,
                  IBucket getPayloadBucket, IQueue getIngestQueue, IQueue getIngestDeadLetterQueue,
                  String getRedisHosts, String getModelName, Path getFunctionArtifact, Path getEventsArtifact,
                  boolean isNativeImage, boolean isRequireArtifacts, int getMemorySizeMb,
                  ConcurrencyBudget getConcurrency, IntakeTimeouts getTimeouts, boolean isTracing,
                  String getDomainName, String getCertificateArn, int getWafRequestsPerIp,
                  String getDescription, int getWebAdapterLayerVersion) implements ApiStackProps {
    }
}
