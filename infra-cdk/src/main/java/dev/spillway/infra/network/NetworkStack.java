package dev.spillway.infra.network;

import java.util.List;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

import java.util.Map;

/**
 * The VPC the cache, the intake function and the GPU fleet share, and the security groups that identify
 * the two cache clients.
 *
 * <p>Cost: two AZs (ElastiCache Serverless needs subnets in two) but a single NAT gateway, about
 * 33 USD a month plus data; if that AZ fails, private subnets of the other lose egress until it returns.
 * S3 and DynamoDB are reached through free gateway endpoints so that payload and job traffic bypasses the NAT.
 * Flow logs record rejected traffic only, which keeps their volume small.
 */
public final class NetworkStack extends Stack {

    private final Vpc vpc;
    private final SecurityGroup intakeSecurityGroup;
    private final SecurityGroup fleetSecurityGroup;

    public NetworkStack(final Construct scope, final String id, final StackProps props) {
        super(scope, id, props);

        this.vpc = Vpc.Builder.create(this, "Vpc")
                .maxAzs(2)
                .natGateways(1)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("public").subnetType(SubnetType.PUBLIC)
                                .cidrMask(24).build(),
                        SubnetConfiguration.builder().name("private").subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                .cidrMask(20).build()))
                .gatewayEndpoints(Map.of(
                        "S3", GatewayVpcEndpointOptions.builder().service(GatewayVpcEndpointAwsService.S3).build(),
                        "DynamoDb", GatewayVpcEndpointOptions.builder()
                                .service(GatewayVpcEndpointAwsService.DYNAMODB).build()))
                .build();

        LogGroup flowLogs = LogGroup.Builder.create(this, "FlowLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        vpc.addFlowLog("RejectedTraffic", FlowLogOptions.builder()
                .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                .trafficType(FlowLogTrafficType.REJECT)
                .build());

        this.intakeSecurityGroup = SecurityGroup.Builder.create(this, "IntakeSecurityGroup")
                .vpc(vpc)
                .description("Spillway intake Lambda functions (cache client)")
                .allowAllOutbound(true)
                .build();
        this.fleetSecurityGroup = SecurityGroup.Builder.create(this, "FleetSecurityGroup")
                .vpc(vpc)
                .description("Spillway GPU worker tasks (cache client); no inbound traffic")
                .allowAllOutbound(true)
                .build();
    }

    public IVpc vpc() {
        return vpc;
    }

    /** Private subnets with egress through the NAT gateway: where every workload runs. */
    public static SubnetSelection workloadSubnets() {
        return SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build();
    }

    public ISecurityGroup intakeSecurityGroup() {
        return intakeSecurityGroup;
    }

    public ISecurityGroup fleetSecurityGroup() {
        return fleetSecurityGroup;
    }
}
