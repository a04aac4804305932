package dev.spillway.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Metrics published besides Micrometer's Prometheus endpoint. */
@ConfigMapping(prefix = "spillway.metrics")
public interface MetricsConfig {

    /** CloudWatch Embedded Metric Format on stdout: on in Lambda and ECS, where CloudWatch Logs reads stdout. */
    Emf emf();

    interface Emf {

        @WithDefault("false")
        boolean enabled();

        @WithDefault("Spillway")
        String namespace();
    }
}
