package dev.spillway.infra.cache;

import java.util.List;

import dev.spillway.infra.network.NetworkStack;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.elasticache.CfnServerlessCache;
import software.constructs.Construct;

/**
 * ElastiCache Serverless (Valkey): the L2 of the result cache. Serverless caches always encrypt in transit,
 * so clients connect with {@code rediss://}. Only the client security groups reach port 6379.
 */
public final class CacheStack extends Stack {

    public static final int PORT = 6379;
    static final String ENGINE = "valkey";
    static final String MAJOR_VERSION = "8";

    private final CfnServerlessCache cache;
    private final SecurityGroup securityGroup;

    public CacheStack(final Construct scope, final String id, final CacheStackProps props) {
        super(scope, id, props);

        this.securityGroup = SecurityGroup.Builder.create(this, "CacheSecurityGroup")
                .vpc(props.getVpc())
                .description("Spillway cache: TCP " + PORT + " from the intake and the GPU fleet only")
                .allowAllOutbound(false)
                .build();
        for (ISecurityGroup client : props.getClients()) {
            securityGroup.addIngressRule(client, Port.tcp(PORT), "Valkey over TLS from a Spillway client");
        }

        List<String> subnetIds = props.getVpc().selectSubnets(NetworkStack.workloadSubnets()).getSubnetIds();
        this.cache = CfnServerlessCache.Builder.create(this, "Cache")
                .serverlessCacheName(Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                        .maxLength(40).separator("-").build()).toLowerCase())
                .description("Spillway response cache")
                .engine(ENGINE)
                .majorEngineVersion(MAJOR_VERSION)
                .subnetIds(subnetIds)
                .securityGroupIds(List.of(securityGroup.getSecurityGroupId()))
                .cacheUsageLimits(CfnServerlessCache.CacheUsageLimitsProperty.builder()
                        .dataStorage(CfnServerlessCache.DataStorageProperty.builder()
                                .maximum(props.getMaxDataStorageGb()).unit("GB").build())
                        .build())
                .build();
    }

    /** Value for {@code QUARKUS_REDIS_HOSTS}: {@code rediss://<endpoint>:<port>}. */
    public String redisHosts() {
        return "rediss://" + cache.getAttrEndpointAddress() + ":" + cache.getAttrEndpointPort();
    }

    public ISecurityGroup securityGroup() {
        return securityGroup;
    }
}
