package dev.spillway.infra.api;

import java.nio.file.Path;
import java.util.Map;

import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;

/**
 * Settings of one Quarkus Lambda function (the intake, or one of the event-source handlers).
 *
 * @param description         what the function is, in the console
 * @param handlerName         the {@code @Named} handler the app runs ({@code QUARKUS_LAMBDA_HANDLER}), or null when the
 *                            app has only one (the HTTP intake)
 * @param timeoutSeconds      how long one invocation may run
 * @param vpc                 VPC the function joins to reach the cache
 * @param securityGroup       the intake's security group (the cache admits it)
 * @param environment         runtime configuration (see {@code RuntimeEnvironment})
 * @param artifact            the Quarkus {@code function.zip}, JVM or native
 * @param nativeImage         whether {@code artifact} holds a native {@code bootstrap} (runtime provided.al2023)
 * @param requireArtifacts    fail synthesis when {@code artifact} is missing instead of using a placeholder
 * @param memorySizeMb        function memory; CPU scales with it
 * @param reservedConcurrency reserved concurrent executions; {@code ProductionGuardrails} refuses a function without
 * @param tracing             X-Ray active tracing
 * @param webAdapter          the Lambda Web Adapter in front of a plain HTTP app (the intake), or null for an app on
 *                            Quarkus' Lambda runtime (the event-source handlers)
 */
public record QuarkusFunctionProps(String description, String handlerName, int timeoutSeconds, IVpc vpc, ISecurityGroup securityGroup, Map<String, String> environment,
                                  Path artifact, boolean nativeImage, boolean requireArtifacts, int memorySizeMb,
                                  Integer reservedConcurrency, boolean tracing, WebAdapter webAdapter) {

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String description = "Spillway intake";
        private String handlerName;
        private int timeoutSeconds = 30;
        private IVpc vpc;
        private ISecurityGroup securityGroup;
        private Map<String, String> environment = Map.of();
        private Path artifact = Path.of("../functions/intake-lambda/target/function.zip");
        private boolean nativeImage;
        private boolean requireArtifacts;
        private int memorySizeMb = 2048;
        private Integer reservedConcurrency;
        private boolean tracing;
        private WebAdapter webAdapter;

        public Builder description(final String value) {
            this.description = value;
            return this;
        }

        public Builder handlerName(final String value) {
            this.handlerName = value;
            return this;
        }

        public Builder timeoutSeconds(final int value) {
            this.timeoutSeconds = value;
            return this;
        }

        public Builder vpc(final IVpc value) {
            this.vpc = value;
            return this;
        }

        public Builder securityGroup(final ISecurityGroup value) {
            this.securityGroup = value;
            return this;
        }

        public Builder environment(final Map<String, String> value) {
            this.environment = Map.copyOf(value);
            return this;
        }

        public Builder artifact(final Path value) {
            this.artifact = value;
            return this;
        }

        public Builder nativeImage(final boolean value) {
            this.nativeImage = value;
            return this;
        }

        public Builder requireArtifacts(final boolean value) {
            this.requireArtifacts = value;
            return this;
        }

        public Builder memorySizeMb(final int value) {
            this.memorySizeMb = value;
            return this;
        }

        public Builder reservedConcurrency(final Integer value) {
            this.reservedConcurrency = value;
            return this;
        }

        public Builder tracing(final boolean value) {
            this.tracing = value;
            return this;
        }

        public Builder webAdapter(final WebAdapter value) {
            this.webAdapter = value;
            return this;
        }

        public QuarkusFunctionProps build() {
            return new QuarkusFunctionProps(description, handlerName, timeoutSeconds, vpc, securityGroup, environment, artifact, nativeImage,
                    requireArtifacts, memorySizeMb, reservedConcurrency, tracing, webAdapter);
        }
    }
}
