package dev.spillway.infra;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.ContextValues;
import dev.spillway.capacity.policy.PrescaleOptions;
import dev.spillway.infra.api.ApiStack;
import dev.spillway.infra.api.ApiStackProps;
import dev.spillway.infra.api.EventSourceFunctions;
import dev.spillway.infra.api.QuarkusFunction;
import dev.spillway.infra.cache.CacheStack;
import dev.spillway.infra.cache.CacheStackProps;
import dev.spillway.infra.data.DataStack;
import dev.spillway.infra.data.DataStackProps;
import dev.spillway.infra.data.PriorityQueuesProps;
import dev.spillway.infra.fleet.FleetStack;
import dev.spillway.infra.fleet.FleetStackProps;
import dev.spillway.infra.fleet.ModelFleetSettings;
import dev.spillway.infra.fleet.WorkerImage;
import dev.spillway.infra.guardrails.ProductionGuardrails;
import dev.spillway.infra.network.NetworkStack;
import dev.spillway.infra.observability.ObservabilityStack;
import dev.spillway.infra.observability.ObservabilityStackProps;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;

/**
 * The Spillway CDK app. Stacks are environment-agnostic (account and region come from the CLI's credentials
 * at deploy time), so synthesis needs no AWS access.
 */
public final class SpillwayApp {

    /** The stacks of one deployment, in dependency order. */
    public record Stacks(NetworkStack network, DataStack data, CacheStack cache, ApiStack api, FleetStack fleet,
                         ObservabilityStack observability) {

        public List<Stack> all() {
            return List.of(network, data, cache, api, fleet, observability);
        }
    }

    /**
     * Feature flags this app is written for, set in code so that a bare {@code mvn compile exec:java} and the
     * tests synthesize the same templates as the CLI. Context from the CLI or {@code cdk.json} still wins.
     */
    /** Context key of the pre-scaling budget, GPU-hours a day. */
    public static final String PRESCALE_GPU_HOURS_PER_DAY = "prescaleGpuHoursPerDay";
    public static final Map<String, Object> FEATURE_FLAGS = Map.of(
            "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true,
            "@aws-cdk/aws-iam:minimizePolicies", true,
            "@aws-cdk/aws-ecs:arnFormatIncludesClusterName", true,
            "@aws-cdk/aws-lambda:recognizeLayerVersion", true,
            "@aws-cdk/core:checkSecretUsage", true,
            // Leave DesiredCount out of the ECS service: a stack update must never reset a fleet that autoscaling sized.
            "@aws-cdk/aws-ecs:removeDefaultDesiredCount", true,
            // Same-region references are Fn::ImportValue whatever this says; set to silence the reminder.
            "@aws-cdk/core:defaultCrossStackReferences", "strong");

    private SpillwayApp() {
    }

    public static void main(final String[] args) {
        App app = newApp(Map.of());
        assemble(app);
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }

    /** An app with this project's feature flags and the given context (tests pass theirs here). */
    public static App newApp(final Map<String, Object> context) {
        Map<String, Object> merged = new HashMap<>(FEATURE_FLAGS);
        merged.putAll(context);
        return App.Builder.create().context(merged).build();
    }

    /**
     * Adds every Spillway stack to {@code app}, configured from its context, with the {@link ProductionGuardrails}
     * that fail synthesis when a resource breaks a production rule.
     */
    /**
     * Context {@value #PRESCALE_GPU_HOURS_PER_DAY}: the day's budget of task-hours pre-scaling may add above each
     * fleet's minimum (default {@link PrescaleOptions#DEFAULT_GPU_HOURS_PER_DAY}, the planner's); 0 switches it off.
     */
    static double prescaleGpuHoursPerDay(final App app) {
        String value = ContextValues.string(key -> app.getNode().tryGetContext(key), PRESCALE_GPU_HOURS_PER_DAY,
                Double.toString(PrescaleOptions.DEFAULT_GPU_HOURS_PER_DAY));
        try {
            double hours = Double.parseDouble(value);
            if (hours >= 0) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("Context '" + PRESCALE_GPU_HOURS_PER_DAY + "' must be a number of at least "
                + "0, got '" + value + "'");
    }

    public static Stacks assemble(final App app) {
        SpillwaySettings settings = SpillwaySettings.from(app.getNode());
        Tags.of(app).add("project", "spillway");
        Aspects.of(app).add(new ProductionGuardrails());

        NetworkStack network = new NetworkStack(app, "SpillwayNetwork", StackProps.builder()
                .description("Spillway: VPC (2 AZs), NAT, gateway and interface endpoints, client security groups")
                .build(), settings.natPerAz(), settings.interfaceEndpoints(), settings.tracing());

        DataStack data = new DataStack(app, "SpillwayData", DataStackProps.builder()
                .description("Spillway: jobs, idempotency, API keys and batches tables, tier and ingest queues, "
                        + "payload bucket")
                .queues(PriorityQueuesProps.builder().maxReceiveCount(settings.maxReceiveCount()).build())
                // The first model's jobs use the shared tier queues; every other model gets queues of its own.
                .modelFleets(settings.models().stream().skip(1).map(ModelFleetSettings::servedName).toList())
                .build());

        CacheStack cache = new CacheStack(app, "SpillwayCache", CacheStackProps.builder()
                .description("Spillway: ElastiCache Serverless (Valkey) response cache")
                .vpc(network.vpc())
                .clients(List.of(network.intakeSecurityGroup(), network.fleetSecurityGroup()))
                .build());

        ApiStack api = new ApiStack(app, "SpillwayApi", ApiStackProps.builder()
                .description("Spillway: REST API behind WAF, the Quarkus intake function and the event-source functions")
                .vpc(network.vpc())
                .intakeSecurityGroup(network.intakeSecurityGroup())
                .jobsTable(data.jobsTable())
                .idempotencyTable(data.idempotencyTable())
                .apiKeysTable(data.apiKeysTable())
                .batchesTable(data.batchesTable())
                .queues(data.queues())
                .payloadBucket(data.payloadBucket())
                .ingestQueue(data.ingestQueue().queue(), data.ingestQueue().deadLetterQueue())
                .redisHosts(cache.redisHosts())
                .modelName(settings.modelName())
                .functionArtifact(settings.functionZip())
                .eventsArtifact(settings.eventsFunctionZip())
                .nativeImage(settings.nativeImage())
                .requireArtifacts(settings.requireArtifacts())
                .memorySizeMb(settings.nativeImage() ? 512 : 2048)
                .concurrency(settings.concurrency())
                .timeouts(settings.timeouts())
                .webAdapterLayerVersion(settings.webAdapterLayerVersion())
                .tracing(settings.tracing())
                .customDomain(settings.domainName(), settings.certificateArn())
                .wafRequestsPerIp(settings.wafRequestsPerIp())
                .build());

        FleetStack fleet = new FleetStack(app, "SpillwayFleet", FleetStackProps.builder()
                .description("Spillway: GPU worker fleet on ECS (vLLM + gpu-backend), scaled on queue backlog")
                .vpc(network.vpc())
                .fleetSecurityGroup(network.fleetSecurityGroup())
                .jobsTable(data.jobsTable())
                .queues(data.queues())
                .modelBucket(data.modelBucket())
                .redisHosts(cache.redisHosts())
                .workerImage(WorkerImage.resolve(settings.workerImage(), settings.workerContext(),
                        settings.workerDockerfile()))
                .requireArtifacts(settings.requireArtifacts())
                .vllmImage(settings.vllmImage())
                .servedModelName(settings.modelName())
                .huggingFaceModel(settings.huggingFaceModel())
                .capacity(settings.capacity())
                .moreModels(settings.models().subList(1, settings.models().size()))
                .fallbackInstanceTypes(settings.fallbackInstanceTypes())
                .spot(settings.spot())
                .onDemandBaseTasks(settings.onDemandBaseTasks())
                .batchSpotMaxTasks(settings.batchSpotMaxTasks())
                .deployHeadroom(settings.deployHeadroom())
                .dockerHubSecretArn(settings.dockerHubSecretArn())
                .weightsFromS3(settings.weightsFromS3())
                .build());

        // The scheduler (API stack) sets the fleets' minimums: the API stack reads the fleet stack's service names.
        api.eventSources().forecastAndPrescale(data.arrivalsTable(), fleet.fleets().stream()
                .map(model -> new EventSourceFunctions.PrescaledFleet(model.fleetName(), model.scaling().resourceId(),
                        model.service().getServiceArn()))
                .toList(), settings.capacity(), prescaleGpuHoursPerDay(app));

        ObservabilityStack observability = new ObservabilityStack(app, "SpillwayObservability",
                ObservabilityStackProps.builder()
                        .description("Spillway: dashboard, alarms and the alarm topic")
                        .restApi(api.restApi())
                        .intakeFunction(api.intake().function())
                        .queues(data.queues())
                        .eventFunctions(api.eventSources().all().stream().collect(java.util.stream.Collectors.toMap(
                                QuarkusFunction::handlerName, QuarkusFunction::function)))
                        .eventFailureQueues(Map.of(
                                "ingest dead-letter queue", data.ingestQueue().deadLetterQueue(),
                                "batch-file failure queue", api.eventSources().batchFileFailures(),
                                "notifier failure queue", api.eventSources().notifierFailures()))
                        .cluster(fleet.cluster())
                        .workerService(fleet.service())
                        .maxTasks(settings.capacity().maxTasks())
                        .alarmEmail(settings.alarmEmail().isBlank() ? null : settings.alarmEmail())
                        .build());

        return new Stacks(network, data, cache, api, fleet, observability);
    }
}
