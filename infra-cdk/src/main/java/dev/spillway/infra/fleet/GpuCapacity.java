package dev.spillway.infra.fleet;

import java.util.List;

import dev.spillway.infra.network.NetworkStack;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.InstancesDistribution;
import software.amazon.awscdk.services.autoscaling.LaunchTemplateOverrides;
import software.amazon.awscdk.services.autoscaling.MixedInstancesPolicy;
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
 * ECS cluster whose capacity is an Auto Scaling group of GPU instances, from zero up,
 * managed by an ECS capacity provider: ECS launches an instance when a task needs one, protects instances
 * running tasks from scale-in and drains them before termination.
 */
public final class GpuCapacity extends Construct {

    /** Root volume: the vLLM image (~20 GB unpacked) plus the model weights (~15 GB for a 7B model in bf16). */
    static final int ROOT_VOLUME_GB = 100;

    private final Cluster cluster;
    private final AutoScalingGroup autoScalingGroup;
    private final AsgCapacityProvider capacityProvider;

    public GpuCapacity(final Construct scope, final String id, final IVpc vpc, final String instanceType,
                       final int maxInstances, final boolean spot) {
        super(scope, id);

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
        if (spot) {
            userData.addCommands("echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config");
        }
        LaunchTemplate launchTemplate = LaunchTemplate.Builder.create(this, "LaunchTemplate")
                .instanceType(new InstanceType(instanceType))
                .machineImage(EcsOptimizedImage.amazonLinux2(AmiHardwareType.GPU))
                .userData(userData)
                .role(instanceRole)
                .securityGroup(instances)
                .requireImdsv2(true)
                .blockDevices(List.of(BlockDevice.builder()
                        .deviceName("/dev/xvda")
                        .volume(BlockDeviceVolume.ebs(ROOT_VOLUME_GB, EbsDeviceOptions.builder()
                                .encrypted(true)
                                .volumeType(EbsDeviceVolumeType.GP3)
                                .build()))
                        .build()))
                .build();

        AutoScalingGroup.Builder asg = AutoScalingGroup.Builder.create(this, "Instances")
                .vpc(vpc)
                .vpcSubnets(NetworkStack.workloadSubnets())
                .minCapacity(0)
                .maxCapacity(maxInstances);
        if (spot) {
            asg.mixedInstancesPolicy(MixedInstancesPolicy.builder()
                    .launchTemplate(launchTemplate)
                    .launchTemplateOverrides(List.of(LaunchTemplateOverrides.builder()
                            .instanceType(new InstanceType(instanceType)).build()))
                    .instancesDistribution(InstancesDistribution.builder()
                            .onDemandBaseCapacity(0)
                            .onDemandPercentageAboveBaseCapacity(0)
                            .spotAllocationStrategy(SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED)
                            .build())
                    .build());
        } else {
            asg.launchTemplate(launchTemplate);
        }
        this.autoScalingGroup = asg.build();

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
