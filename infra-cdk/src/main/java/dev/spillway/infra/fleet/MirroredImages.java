package dev.spillway.infra.fleet;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.CfnPullThroughCacheRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryAttributes;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

/**
 * Public images the GPU task runs, served from this account's ECR through pull-through cache rules: the first pull
 * copies an image into ECR (AWS fetches it, not the VPC), every later pull reads ECR through the VPC endpoints and its
 * layers through the S3 gateway endpoint. No Docker Hub rate limit, no image traffic through the NAT.
 *
 * <p>ECR Public needs no credentials. Docker Hub does: an operator-made Secrets Manager secret whose name starts with
 * {@code ecr-pullthroughcache/}; without it the vLLM image is pulled from Docker Hub as given, with a warning. An
 * image already in ECR is used as it is. Rules are per account and region, so their prefixes name Spillway.
 */
public final class MirroredImages extends Construct {

    static final String ECR_PUBLIC_PREFIX = "spillway-ecr-public";
    static final String DOCKER_HUB_PREFIX = "spillway-docker-hub";
    private static final String ECR_PUBLIC_HOST = "public.ecr.aws";
    private static final Set<String> DOCKER_HUB_HOSTS = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

    private final IRole executionRole;
    private final String dockerHubSecretArn;
    private final Set<String> rules = new HashSet<>();

    /**
     * @param executionRole      the task execution role, which pulls the images
     * @param dockerHubSecretArn Docker Hub credentials for the cache, or blank
     */
    public MirroredImages(final Construct scope, final String id, final IRole executionRole,
                          final String dockerHubSecretArn) {
        super(scope, id);
        this.executionRole = executionRole;
        this.dockerHubSecretArn = dockerHubSecretArn == null ? "" : dockerHubSecretArn;
    }

    /** The image to run for {@code reference} ({@code vllm/vllm-openai:v0.11.0}, {@code public.ecr.aws/...}). */
    public ContainerImage image(final String reference) {
        ImageReference image = ImageReference.parse(reference);
        if (image.isEcr()) {
            return ContainerImage.fromEcrRepository(Repository.fromRepositoryAttributes(this,
                    "Ecr" + Integer.toHexString(reference.hashCode()), RepositoryAttributes.builder()
                            .repositoryName(image.repository())
                            .repositoryArn("arn:" + Stack.of(this).getPartition() + ":ecr:" + image.ecrRegion() + ":"
                                    + image.ecrAccount() + ":repository/" + image.repository())
                            .build()), image.tag());
        }
        if (ECR_PUBLIC_HOST.equals(image.host())) {
            return mirrored("EcrPublic", ECR_PUBLIC_PREFIX, "ecr-public", ECR_PUBLIC_HOST, null, image);
        }
        if (image.host() == null || DOCKER_HUB_HOSTS.contains(image.host())) {
            if (!dockerHubSecretArn.isBlank()) {
                return mirrored("DockerHub", DOCKER_HUB_PREFIX, "docker-hub", "registry-1.docker.io",
                        dockerHubSecretArn, image.withDockerHubLibrary());
            }
            Annotations.of(this).addWarning("Image " + reference + " is pulled from Docker Hub through the NAT on every "
                    + "cold start (rate limits, one egress IP): set context 'dockerHubSecretArn' for an ECR "
                    + "pull-through cache, or push the image to ECR (docs/runbook.md).");
        }
        return ContainerImage.fromRegistry(reference);
    }

    private ContainerImage mirrored(final String id, final String prefix, final String upstream, final String url,
                                    final String credentialArn, final ImageReference image) {
        if (rules.add(prefix)) {
            CfnPullThroughCacheRule.Builder rule = CfnPullThroughCacheRule.Builder.create(this, id)
                    .ecrRepositoryPrefix(prefix)
                    .upstreamRegistry(upstream)
                    .upstreamRegistryUrl(url);
            if (credentialArn != null) {
                rule.credentialArn(credentialArn);
            }
            rule.build();
            Stack stack = Stack.of(this);
            // The first pull of an image creates its repository under the prefix and imports it from upstream.
            executionRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability",
                            "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"))
                    .resources(List.of("arn:" + stack.getPartition() + ":ecr:" + stack.getRegion() + ":"
                            + stack.getAccount() + ":repository/" + prefix + "/*"))
                    .build());
            executionRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("ecr:GetAuthorizationToken"))
                    .resources(List.of("*"))
                    .build());
        }
        Stack stack = Stack.of(this);
        return ContainerImage.fromRegistry(stack.getAccount() + ".dkr.ecr." + stack.getRegion() + "."
                + stack.getUrlSuffix() + "/" + prefix + "/" + image.repository() + ":" + image.tag());
    }

    /**
     * An image reference split into registry host (null for Docker Hub's short form), repository and tag.
     */
    record ImageReference(String host, String repository, String tag) {

        static ImageReference parse(final String reference) {
            String rest = reference;
            String host = null;
            int slash = rest.indexOf('/');
            if (slash > 0) {
                String first = rest.substring(0, slash);
                if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                    host = first;
                    rest = rest.substring(slash + 1);
                }
            }
            int colon = rest.lastIndexOf(':');
            String repository = colon > 0 ? rest.substring(0, colon) : rest;
            String tag = colon > 0 ? rest.substring(colon + 1) : "latest";
            return new ImageReference(host, repository, tag);
        }

        /** Docker Hub's official images live under {@code library/} ({@code redis} is {@code library/redis}). */
        ImageReference withDockerHubLibrary() {
            return repository.contains("/") ? this : new ImageReference(host, "library/" + repository, tag);
        }

        boolean isEcr() {
            return host != null && host.matches("[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");
        }

        String ecrAccount() {
            return host.substring(0, 12);
        }

        String ecrRegion() {
            return host.split("\\.")[3];
        }
    }
}
