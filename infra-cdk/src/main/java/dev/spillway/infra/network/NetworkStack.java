package dev.spillway.infra.network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpoint;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The VPC the cache, the functions and the GPU fleet share, and the security groups that identify the two cache
 * clients.
 *
 * <p>Nothing on the hot path crosses the NAT: S3 and DynamoDB are reached through free gateway endpoints, and (by
 * default) SQS, CloudWatch Logs and metrics, ECR, ECS, Secrets Manager and X-Ray through interface endpoints in both
 * AZs, so a spilled request, a GPU cold start (image layers come from S3) and a webhook signature all stay inside
 * the VPC. The NAT is left for what must reach the internet: webhooks to tenants' URLs, direct-lane upstream APIs,
 * Hugging Face when weights do not come from S3. One NAT gateway by default (about 33 USD a month plus data; if its
 * AZ fails, the other AZ loses internet egress but keeps every AWS service); {@code natPerAz} puts one in each AZ.
 * Interface endpoints cost about 15 USD a month each across two AZs. Flow logs record rejected traffic only.
 */
public final class NetworkStack extends Stack {

    static final int AZS = 2;

    private final Vpc vpc;
    private final SecurityGroup intakeSecurityGroup;
    private final SecurityGroup fleetSecurityGroup;

    /** Interface endpoints of the services on the hot path, by construct id. */
    static final Map<String, InterfaceVpcEndpointAwsService> HOT_PATH_SERVICES = hotPathServices();

    private final List<InterfaceVpcEndpoint> interfaceEndpoints = new ArrayList<>();

    /**
     * @param natPerAz           a NAT gateway in each AZ instead of one
     * @param interfaceEndpoints interface endpoints for the AWS services on the hot path
     * @param tracing            an X-Ray endpoint too (the functions send traces)
     */
    public NetworkStack(final Construct scope, final String id, final StackProps props, final boolean natPerAz,
                        final boolean interfaceEndpoints, final boolean tracing) {
        super(scope, id, props);

        this.vpc = Vpc.Builder.create(this, "Vpc")
                .maxAzs(AZS)
                .natGateways(natPerAz ? AZS : 1)
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

        if (interfaceEndpoints) {
            SecurityGroup endpoints = SecurityGroup.Builder.create(this, "EndpointSecurityGroup")
                    .vpc(vpc)
                    .description("Spillway interface endpoints: HTTPS from inside the VPC")
                    .allowAllOutbound(false)
                    .build();
            endpoints.addIngressRule(Peer.ipv4(vpc.getVpcCidrBlock()), Port.tcp(443), "HTTPS from the VPC");
            Map<String, InterfaceVpcEndpointAwsService> services = new LinkedHashMap<>(HOT_PATH_SERVICES);
            if (tracing) {
                services.put("XRay", InterfaceVpcEndpointAwsService.XRAY);
            }
            services.forEach((name, service) -> this.interfaceEndpoints.add(vpc.addInterfaceEndpoint(name,
                    InterfaceVpcEndpointOptions.builder()
                            .service(service)
                            .privateDnsEnabled(true)
                            .subnets(workloadSubnets())
                            .securityGroups(List.of(endpoints))
                            .build())));
        }

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

    private static Map<String, InterfaceVpcEndpointAwsService> hotPathServices() {
        Map<String, InterfaceVpcEndpointAwsService> services = new LinkedHashMap<>();
        services.put("Sqs", InterfaceVpcEndpointAwsService.SQS);
        services.put("Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);
        services.put("Monitoring", InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING);
        services.put("EcrApi", InterfaceVpcEndpointAwsService.ECR);
        services.put("EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER);
        services.put("Ecs", InterfaceVpcEndpointAwsService.ECS);
        services.put("EcsAgent", InterfaceVpcEndpointAwsService.ECS_AGENT);
        services.put("EcsTelemetry", InterfaceVpcEndpointAwsService.ECS_TELEMETRY);
        services.put("SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
        return Collections.unmodifiableMap(services);
    }

    public IVpc vpc() {
        return vpc;
    }

    /** The interface endpoints created, empty when they are turned off. */
    public List<InterfaceVpcEndpoint> interfaceEndpoints() {
        return List.copyOf(interfaceEndpoints);
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
