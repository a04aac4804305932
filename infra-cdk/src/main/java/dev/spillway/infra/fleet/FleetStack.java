package dev.spillway.infra.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.spillway.capacity.CapacitySettings;
import dev.spillway.infra.data.DataAccess;
import dev.spillway.infra.data.FleetQueues;
import dev.spillway.infra.data.PriorityQueues;
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

    private final GpuCapacity capacity;
    private final InferenceTaskDefinition task;
    private final Ec2Service service;
    private final BacklogScaling scaling;
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
        ModelFleet first = fleets.get(0);
        this.capacity = first.capacity;
        this.task = first.task;
        this.service = first.service;
        this.scaling = first.scaling;

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
     */
    public static final class ModelFleet {

        private final ModelFleetSettings model;
        private final GpuCapacity capacity;
        private final InferenceTaskDefinition task;
        private final Ec2Service service;
        private final BacklogScaling scaling;

        ModelFleet(final Construct scope, final FleetStackProps props, final ModelFleetSettings model,
                   final FleetQueues queues) {
            this.model = model;
            CapacitySettings settings = model.capacity();
            List<String> instanceTypes = new ArrayList<>();
            instanceTypes.add(settings.instanceType());
            props.getFallbackInstanceTypes().stream().filter(type -> !instanceTypes.contains(type))
                    .forEach(instanceTypes::add);
            this.capacity = new GpuCapacity(scope, "Gpu", props.getVpc(), instanceTypes,
                    settings.maxTasks() + props.getDeployHeadroom(), props.isSpot(), props.getOnDemandBaseTasks());

            Map<String, String> workerEnv = new LinkedHashMap<>(
                    RuntimeEnvironment.fleetWorker(props.getJobsTable(), queues, props.getRedisHosts()));
            // vLLM serves under the very name clients send (--served-model-name in InferenceTaskDefinition), so the
            // worker forwards that name upstream unchanged.
            workerEnv.putAll(RuntimeEnvironment.worker(model.servedName(), model.servedName(),
                    settings.workerConcurrency()));
            this.task = new InferenceTaskDefinition(scope, "Task", props, model, workerEnv);

            IRole taskRole = task.taskDefinition().getTaskRole();
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

            this.scaling = new BacklogScaling(scope, "Scaling", capacity.cluster(), service, queues, settings);
        }

        public ModelFleetSettings model() {
            return model;
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
        fleets.forEach(fleet -> suppressFindings(fleet.task(), fleet.capacity()));
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
        return capacity.cluster();
    }

    public IService service() {
        return service;
    }

    public GpuCapacity capacity() {
        return capacity;
    }

    public InferenceTaskDefinition task() {
        return task;
    }

    public BacklogScaling scaling() {
        return scaling;
    }

    public int maxTasks() {
        return maxTasks;
    }

    /** Every model's fleet, the first model's first (its resources are this stack's own accessors above). */
    public List<ModelFleet> fleets() {
        return fleets;
    }
}
