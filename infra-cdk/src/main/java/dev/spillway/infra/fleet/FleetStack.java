package dev.spillway.infra.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.data.DataAccess;
import dev.spillway.infra.data.FleetQueues;
import dev.spillway.infra.data.PriorityQueues;
import dev.spillway.infra.data.Tier;
import dev.spillway.infra.nag.Suppressions;
import dev.spillway.infra.network.NetworkStack;
import dev.spillway.infra.runtime.RuntimeEnvironment;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.Ec2Service;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.IService;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

/**
 * The GPU worker fleets, one per model ({@link FleetStackProps#getModels()}): ECS on GPU instances that start at
 * zero, a service running the model's vLLM + worker task, and scaling of that service on the model's own backlog.
 * ECS's capacity provider follows the tasks with instances.
 */
public final class FleetStack extends Stack {

    private final int maxTasks;
    private final List<ModelFleet> fleets;

    public FleetStack(final Construct scope, final String id, final FleetStackProps props) {
        super(scope, id, props);
        this.maxTasks = props.getCapacity().maxTasks();

        if (props.getWorkerImage().isPlaceholder()) {
            String why = props.getWorkerImage().missing();
            Annotations.of(this).addWarning("Worker image: " + why + "; synthesizing with the unpullable PLACEHOLDER "
                    + WorkerImage.PLACEHOLDER + ". Worker tasks cannot start until a real image is given.");
            if (props.isRequireArtifacts()) {
                getNode().addValidation(() -> List.of("requireArtifacts=true but there is no worker image (" + why
                        + "): set context 'workerImage' to an image URI or build the worker with "
                        + WorkerImage.BUILD_COMMAND));
            }
        }

        if (props.getDeployHeadroom() < 1) {
            getNode().addValidation(() -> List.of("deployHeadroom must be at least 1: with every instance running a "
                    + "task, a rolling deploy could not start a new task before stopping an old one"));
        }
        List<ModelFleet> built = new ArrayList<>();
        for (ModelFleetSettings model : props.getModels()) {
            getNode().addValidation(model::problems);
            // The first model's fleet keeps the ids it had when it was the only one, so its resources stay in place.
            Construct fleetScope = built.isEmpty() ? this
                    : new Construct(this, "Fleet" + PriorityQueues.constructSafe(model.servedName()));
            FleetQueues queues = built.isEmpty() ? props.getQueues().shared() : modelQueues(props, model);
            built.add(new ModelFleet(fleetScope, props, model, queues));
        }
        this.fleets = List.copyOf(built);

        suppressFindings();
    }

    private static FleetQueues modelQueues(final FleetStackProps props, final ModelFleetSettings model) {
        FleetQueues queues = props.getQueues().fleetOf(model.servedName());
        if (queues.isShared()) {
            throw new IllegalArgumentException("model " + model.servedName() + " has no queues of its own: give it a "
                    + "fleet in the data stack (DataStackProps.modelFleets) so only its workers receive its jobs");
        }
        return queues;
    }

    /**
     * One model's fleet: GPU instances of its type behind its own capacity provider, a service running its vLLM and
     * worker task, scaled on its own queues' backlog. Its workers know only this model and read only its queues.
     * With {@code batchSpotMaxTasks}, a second service on Spot instances alone takes the model's batch tier and
     * nothing else (its workers run with {@code SPILLWAY_WORKER_TIERS=batch}), scaled on the batch backlog from zero:
     * batch work gets cheap, interruptible capacity while interactive work never lands on it. The main service keeps
     * reading every tier, so batch work still progresses when no Spot capacity is to be had.
     */
    public static final class ModelFleet {

        private final ModelFleetSettings model;
        private final String fleetName;
        private final FleetService main;
        private final FleetService batchSpot;

        ModelFleet(final Construct scope, final FleetStackProps props, final ModelFleetSettings model,
                   final FleetQueues queues) {
            this.model = model;
            this.fleetName = queues.fleet();
            CapacitySettings settings = model.capacity();
            this.main = new FleetService(scope, props, model, queues, settings, props.isSpot(),
                    props.getOnDemandBaseTasks(), Map.of(), queues);
            if (props.getBatchSpotMaxTasks() > 0) {
                FleetQueues batchOnly = new FleetQueues(queues.fleet(), List.of(queues.tier(Tier.BATCH)));
                this.batchSpot = new FleetService(new Construct(scope, "BatchSpot"), props, model, queues,
                        settings.withTasks(0, props.getBatchSpotMaxTasks()), true, 0,
                        Map.of(RuntimeEnvironment.WORKER_TIERS, Tier.BATCH.id()), batchOnly);
            } else {
                this.batchSpot = null;
            }
        }

        public ModelFleetSettings model() {
            return model;
        }

        /** The fleet's name at run time ({@code Fleets}): {@code shared} for the first model, else the model's. */
        public String fleetName() {
            return fleetName;
        }

        public GpuCapacity capacity() {
            return main.capacity;
        }

        public InferenceTaskDefinition task() {
            return main.task;
        }

        public IService service() {
            return main.service;
        }

        public BacklogScaling scaling() {
            return main.scaling;
        }

        /** The Spot service of the batch tier, if {@code batchSpotMaxTasks} asks for one. */
        public Optional<FleetService> batchSpot() {
            return Optional.ofNullable(batchSpot);
        }

        List<FleetService> services() {
            return batchSpot == null ? List.of(main) : List.of(main, batchSpot);
        }
    }

    /**
     * GPU instances, a service of the model's vLLM and worker task on them, and its scaling on {@code scaledOn}: the
     * parts each of a model's services has, created as children of {@code scope}.
     */
    public static final class FleetService {

        private final GpuCapacity capacity;
        private final InferenceTaskDefinition task;
        private final Ec2Service service;
        private final BacklogScaling scaling;

        FleetService(final Construct scope, final FleetStackProps props, final ModelFleetSettings model,
                     final FleetQueues queues, final CapacitySettings settings, final boolean spot,
                     final int onDemandBase, final Map<String, String> extraWorkerEnv, final FleetQueues scaledOn) {
            List<String> instanceTypes = new ArrayList<>();
            instanceTypes.add(settings.instanceType());
            props.getFallbackInstanceTypes().stream().filter(type -> !instanceTypes.contains(type))
                    .forEach(instanceTypes::add);
            this.capacity = new GpuCapacity(scope, "Gpu", props.getVpc(), instanceTypes,
                    settings.maxTasks() + props.getDeployHeadroom(), spot, onDemandBase);

            Map<String, String> workerEnv = new LinkedHashMap<>(
                    RuntimeEnvironment.fleetWorker(props.getJobsTable(), queues, props.getRedisHosts()));
            // vLLM serves under the very name clients send (--served-model-name in InferenceTaskDefinition), so the
            // worker forwards that name upstream unchanged.
            workerEnv.putAll(RuntimeEnvironment.worker(model.servedName(), model.servedName(),
                    settings.workerConcurrency()));
            workerEnv.putAll(extraWorkerEnv);
            this.task = new InferenceTaskDefinition(scope, "Task", props, model, workerEnv);

            IRole taskRole = task.taskDefinition().getTaskRole();
            // Every tier of the fleet, even for a worker that reads one: its dead-letter sweep reads them all.
            queues.grantConsume(taskRole);
            // Claims, heartbeats, results and dead-letter failures are conditional updates of a job it reads by id.
            DataAccess.grant(taskRole, props.getJobsTable(), DataAccess.READ, DataAccess.TRANSITION);
            // The worker protects its task from scale-in while it holds jobs, through the ECS agent's endpoint.
            Stack stack = Stack.of(scope);
            taskRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("ecs:UpdateTaskProtection", "ecs:GetTaskProtection"))
                    .resources(List.of("arn:" + stack.getPartition() + ":ecs:" + stack.getRegion() + ":"
                            + stack.getAccount() + ":task/" + capacity.cluster().getClusterName() + "/*"))
                    .build());

            this.service = Ec2Service.Builder.create(scope, "Service")
                    .cluster(capacity.cluster())
                    .taskDefinition(task.taskDefinition())
                    // No desired count: Application Auto Scaling owns it, and a stack update must never reset a running
                    // fleet (the template omits DesiredCount; ECS starts a new service with one task, see the runbook).
                    .minHealthyPercent(100)
                    .maxHealthyPercent(200)
                    .circuitBreaker(DeploymentCircuitBreaker.builder().rollback(true).build())
                    .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder()
                            .capacityProvider(capacity.capacityProvider().getCapacityProviderName())
                            .weight(1)
                            .build()))
                    .securityGroups(List.of(props.getFleetSecurityGroup()))
                    .vpcSubnets(NetworkStack.workloadSubnets())
                    .build();

            this.scaling = new BacklogScaling(scope, "Scaling", capacity.cluster(), service, scaledOn, settings);
        }

        public GpuCapacity capacity() {
            return capacity;
        }

        public InferenceTaskDefinition task() {
            return task;
        }

        public IService service() {
            return service;
        }

        public BacklogScaling scaling() {
            return scaling;
        }
    }

    private void suppressFindings() {
        fleets.forEach(fleet -> fleet.services().forEach(service -> suppressFindings(service.task(),
                service.capacity())));
    }

    private static void suppressFindings(final InferenceTaskDefinition task, final GpuCapacity capacity) {
        NagSuppressions.addResourceSuppressions(task, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-ECS2")
                        .reason("The worker's environment holds only resource names, queue URLs, the cache "
                                + "endpoint and model settings; no secret is passed through it.")
                        .build(),
                Suppressions.grantWildcards(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason("The task execution role pulls images from ECR: ecr:GetAuthorizationToken has no "
                                + "resource-level form. Images mirrored by a pull-through cache rule get repositories "
                                + "created on first pull, so their names are only known by the rule's prefix. Task "
                                + "protection is granted on this cluster's tasks, whose ids are not known in advance.")
                        .appliesTo(List.of("Resource::*",
                                RegexAppliesTo.builder()
                                        .regex("/^Resource::arn:.*:ecr:.*:repository\\/spillway-(ecr-public|docker-hub)\\/\\*$/")
                                        .build(),
                                RegexAppliesTo.builder()
                                        .regex("/^Resource::arn:.*:ecs:.*:task\\/.*\\/\\*$/")
                                        .build()))
                        .build()), true);
        NagSuppressions.addResourceSuppressions(capacity, List.of(
                NagPackSuppression.builder()
                        .id("AwsSolutions-IAM5")
                        .reason("ECS container agent permissions the cluster adds: ecs:Submit* is limited to this "
                                + "cluster; ecs:Poll/StartTelemetrySession (conditioned on this cluster), "
                                + "ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken and the agent's log writes "
                                + "have no resource-level form.")
                        .appliesTo(List.of("Action::ecs:Submit*", "Resource::*"))
                        .build(),
                NagPackSuppression.builder()
                        .id("AwsSolutions-AS3")
                        .reason("The ECS capacity provider, not people, drives this group; scaling activity is on "
                                + "the Spillway dashboard and the fleet-at-max alarm pages through SNS.")
                        .build()), true);
    }

    public ICluster cluster() {
        return capacity().cluster();
    }

    public IService service() {
        return fleets.get(0).service();
    }

    public GpuCapacity capacity() {
        return fleets.get(0).capacity();
    }

    public InferenceTaskDefinition task() {
        return fleets.get(0).task();
    }

    public BacklogScaling scaling() {
        return fleets.get(0).scaling();
    }

    public int maxTasks() {
        return maxTasks;
    }

    /** Every model's fleet, the first model's first (its resources are this stack's own accessors above). */
    public List<ModelFleet> fleets() {
        return fleets;
    }
}
