package dev.spillway.infra.fleet;

import java.util.List;

import dev.spillway.infra.network.NetworkStack;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.InstancesDistribution;
import software.amazon.awscdk.services.autoscaling.LaunchTemplateOverrides;
import software.amazon.awscdk.services.autoscaling.MixedInstancesPolicy;
import software.amazon.awscdk.services.autoscaling.OnDemandAllocationStrategy;
import software.amazon.awscdk.services.autoscaling.SpotAllocationStrategy;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.ecs.AmiHardwareType;
import software.amazon.awscdk.services.ecs.AsgCapacityProvider;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.EcsOptimizedImage;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * ECS cluster whose capacity is an Auto Scaling group of GPU instances, from zero up, managed by an ECS capacity
 * provider: ECS launches an instance when a task needs one, protects instances running tasks from scale-in and drains
 * them before termination.
 *
 * <p>Amazon Linux 2023 ECS GPU AMI. Tasks ({@code awsvpc}) cannot reach the instance metadata service, so they cannot
 * borrow the instance role ({@code ECS_AWSVPC_BLOCK_IMDS}; the hop limit of 1 keeps bridge-mode containers out as
 * well). Several instance types, in order of preference, so a shortage of one GPU type does not stop the fleet; with
 * Spot, the first {@code onDemandBase} instances stay on demand and the rest run on Spot.
 */
public final class GpuCapacity extends Construct {

    /** Root volume: the vLLM image (~20 GB unpacked) plus the model weights (~15 GB for a 7B model in bf16). */
    static final int ROOT_VOLUME_GB = 100;

    private final Cluster cluster;
    private final AutoScalingGroup autoScalingGroup;
    private final AsgCapacityProvider capacityProvider;

    /**
     * @param instanceTypes GPU types in order of preference (one task per instance: one GPU each)
     * @param maxInstances  the most instances, tasks plus deploy headroom
     * @param spot          instances above {@code onDemandBase} on Spot
     * @param onDemandBase  with Spot, the first instances kept on demand
     */
    public GpuCapacity(final Construct scope, final String id, final IVpc vpc, final List<String> instanceTypes,
                       final int maxInstances, final boolean spot, final int onDemandBase) {
        super(scope, id);
        if (instanceTypes.isEmpty()) {
            throw new IllegalArgumentException("at least one GPU instance type is needed");
        }

        this.cluster = Cluster.Builder.create(this, "Cluster")
                .vpc(vpc)
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();

        SecurityGroup instances = SecurityGroup.Builder.create(this, "InstanceSecurityGroup")
                .vpc(vpc)
                .description("Spillway GPU container instances: outbound only (ECS agent, image pulls)")
                .allowAllOutbound(true)
                .build();
        Role instanceRole = Role.Builder.create(this, "InstanceRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .description("ECS container agent on Spillway GPU instances")
                .build();
        UserData userData = UserData.forLinux();
        userData.addCommands("echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config");
        if (spot) {
            userData.addCommands("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config");
        }
        LaunchTemplate launchTemplate = LaunchTemplate.Builder.create(this, "LaunchTemplate")
                .instanceType(new InstanceType(instanceTypes.get(0)))
                .machineImage(EcsOptimizedImage.amazonLinux2023(AmiHardwareType.GPU))
                .userData(userData)
                .role(instanceRole)
                .securityGroup(instances)
                .requireImdsv2(true)
                .httpPutResponseHopLimit(1)
                .blockDevices(List.of(BlockDevice.builder()
                        .deviceName("/dev/xvda")
                        .volume(BlockDeviceVolume.ebs(ROOT_VOLUME_GB, EbsDeviceOptions.builder()
                                .encrypted(true)
                                .volumeType(EbsDeviceVolumeType.GP3)
                                .build()))
                        .build()))
                .build();

        this.autoScalingGroup = AutoScalingGroup.Builder.create(this, "Instances")
                .vpc(vpc)
                .vpcSubnets(NetworkStack.workloadSubnets())
                .minCapacity(0)
                .maxCapacity(maxInstances)
                .mixedInstancesPolicy(MixedInstancesPolicy.builder()
                        .launchTemplate(launchTemplate)
                        .launchTemplateOverrides(instanceTypes.stream().map(type -> LaunchTemplateOverrides.builder()
                                .instanceType(new InstanceType(type)).build()).toList())
                        .instancesDistribution(InstancesDistribution.builder()
                                .onDemandAllocationStrategy(OnDemandAllocationStrategy.PRIORITIZED)
                                .onDemandBaseCapacity(spot ? onDemandBase : 0)
                                .onDemandPercentageAboveBaseCapacity(spot ? 0 : 100)
                                .spotAllocationStrategy(SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED)
                                .build())
                        .build())
                .build();

        this.capacityProvider = AsgCapacityProvider.Builder.create(this, "CapacityProvider")
                .autoScalingGroup(autoScalingGroup)
                .enableManagedScaling(true)
                .enableManagedTerminationProtection(true)
                .enableManagedDraining(true)
                .targetCapacityPercent(100)
                .build();
        cluster.addAsgCapacityProvider(capacityProvider);
    }

    public Cluster cluster() {
        return cluster;
    }

    public AutoScalingGroup autoScalingGroup() {
        return autoScalingGroup;
    }

    public AsgCapacityProvider capacityProvider() {
        return capacityProvider;
    }
}
