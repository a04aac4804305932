package dev.spillway.infra.network;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class NetworkStackTest {

    private static Template template;

    @BeforeAll
    static void synthesize() {
        template = DeployedApp.template(DeployedApp.stacks().network());
    }

    @Test
    void vpc_spansTwoAzsWithPublicAndPrivateSubnets() {
        template.resourceCountIs("AWS::EC2::VPC", 1);
        template.resourceCountIs("AWS::EC2::Subnet", 4);
        template.hasResourceProperties("AWS::EC2::Subnet", Match.objectLike(Map.of("MapPublicIpOnLaunch", false)));
    }

    @Test
    void internetEgress_goesThroughOneNatGatewayByDefault() {
        template.resourceCountIs("AWS::EC2::NatGateway", 1);
    }

    @Test
    void s3AndDynamoDb_areReachedThroughGatewayEndpoints() {
        template.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Match.objectLike(Map.of(
                "VpcEndpointType", "Gateway")), 2);
        template.hasResourceProperties("AWS::EC2::VPCEndpoint", Match.objectLike(Map.of(
                "VpcEndpointType", "Gateway",
                "ServiceName", Match.objectLike(Map.of("Fn::Join", List.of("", Match.arrayWith(
                        List.of(".dynamodb"))))))));
    }

    @Test
    void theHotPathsAwsServices_areReachedThroughInterfaceEndpointsInBothAzs() {
        for (String service : List.of("sqs", "logs", "monitoring", "ecr.api", "ecr.dkr", "ecs", "ecs-agent",
                "ecs-telemetry", "secretsmanager", "xray")) {
            template.hasResourceProperties("AWS::EC2::VPCEndpoint", Match.objectLike(Map.of(
                    "VpcEndpointType", "Interface",
                    "PrivateDnsEnabled", true,
                    "ServiceName", Match.objectLike(Map.of("Fn::Join", List.of("", Match.arrayWith(
                            List.of("." + service))))),
                    "SubnetIds", List.of(Match.anyValue(), Match.anyValue()))));
        }
        template.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Match.objectLike(Map.of(
                "VpcEndpointType", "Interface")), 10);
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                "GroupDescription", Match.stringLikeRegexp(".*interface endpoints.*"),
                "SecurityGroupIngress", List.of(Match.objectLike(Map.of("FromPort", 443, "ToPort", 443))))));
    }

    @Test
    void rejectedTraffic_isFlowLogged() {
        template.hasResourceProperties("AWS::EC2::FlowLog", Match.objectLike(Map.of(
                "TrafficType", "REJECT", "LogDestinationType", "cloud-watch-logs")));
    }

    @Test
    void cacheClients_haveTheirOwnSecurityGroupsWithoutIngress() {
        // the intake's, the fleet's and the endpoints'
        template.resourceCountIs("AWS::EC2::SecurityGroup", 3);
        template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                "GroupDescription", Match.stringLikeRegexp(".*intake.*"),
                "SecurityGroupIngress", Match.absent())));
    }
}
