package dev.spillway.core.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits and budgets of the HTTP intake. */
@ConfigMapping(prefix = "spillway.intake")
public interface IntakeConfig {

    /**
     * Serve the intake API from this application. Read at build time: the functions and the local stack set
     * it; the worker, which shares the core module, does not.
     */
    @WithDefault("false")
    boolean enabled();

    /** How long a chat completion waits for its job when the client sends no {@code Prefer: wait}; fits under API Gateway's 30 s. */
    @WithDefault("PT25S")
    Duration defaultWait();

    /** Upper bound of any client-chosen wait ({@code Prefer: wait=N}, {@code ?wait=N}). */
    @WithDefault("PT25S")
    Duration maxWait();

    /** Largest request body accepted; the job item in DynamoDB must also hold the result (400 KB item limit). */
    @WithDefault("262144")
    int maxBodyBytes();

    /** Largest {@code max_tokens} a request may ask for. */
    @WithDefault("32768")
    int maxTokensLimit();

    /** Tenant of requests until API keys bind each caller to its own. */
    @WithDefault("default")
    String defaultTenant();

    /** {@code Retry-After} sent with a 202, telling pollers when to look again. */
    @WithDefault("PT2S")
    Duration pollAfter();
}
