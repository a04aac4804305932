package dev.spillway.infra.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import dev.spillway.infra.DeployedApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class CacheStackTest {

    private static CacheStack stack;
    private static Template template;

    @BeforeAll
    static void synthesize() {
        stack = DeployedApp.stacks().cache();
        template = DeployedApp.template(stack);
    }

    @Test
    void cache_isServerlessValkeyInThePrivateSubnets() {
        template.resourceCountIs("AWS::ElastiCache::ServerlessCache", 1);
        template.hasResourceProperties("AWS::ElastiCache::ServerlessCache", Match.objectLike(Map.of(
                "Engine", "valkey",
                "MajorEngineVersion", "8",
                "SubnetIds", Match.arrayWith(List.of(Match.objectLike(Map.of("Fn::ImportValue", Match.anyValue())))),
                "CacheUsageLimits", Map.of("DataStorage", Map.of("Maximum", 5, "Unit", "GB")))));
    }

    @Test
    void port6379_isOpenOnlyToTheIntakeAndFleetGroups() {
        template.resourceCountIs("AWS::EC2::SecurityGroup", 1);
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Match.objectLike(Map.of(
                "SecurityGroupIngress", Match.absent(),
                "SecurityGroupEgress", List.of(Match.objectLike(Map.of("Description", "Disallow all traffic"))))));
        template.resourceCountIs("AWS::EC2::SecurityGroupIngress", 2);
        template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", ingressFrom("IntakeSecurityGroup"));
        template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", ingressFrom("FleetSecurityGroup"));
    }

    @Test
    void redisHosts_useTlsSchemeWithEndpointAndPort() {
        assertThat(stack.redisHosts()).matches("rediss://\\$\\{Token\\[.+]}:\\$\\{Token\\[.+]}");
    }

    private static Object ingressFrom(final String groupIdPart) {
        return Match.objectLike(Map.of(
                "IpProtocol", "tcp", "FromPort", 6379, "ToPort", 6379,
                "GroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("CacheSecurityGroup.*"), "GroupId")),
                "SourceSecurityGroupId", Map.of("Fn::ImportValue", Match.stringLikeRegexp(".*" + groupIdPart + ".*"))));
    }
}
