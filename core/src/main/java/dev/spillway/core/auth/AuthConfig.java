package dev.spillway.core.auth;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** API keys: who may call, as which tenant, and how fast. */
@ConfigMapping(prefix = "spillway.auth")
public interface AuthConfig {

    /** Require a valid {@code Authorization: Bearer} key on every API call; off makes every caller the default tenant. */
    @WithDefault("true")
    boolean enabled();

    /** DynamoDB table of hashed API keys. */
    @WithDefault("spillway-api-keys")
    String keysTable();

    /** How long a key lookup is remembered by an instance; a revocation takes effect within this time. */
    @WithDefault("PT30S")
    Duration keyCacheTtl();
}
