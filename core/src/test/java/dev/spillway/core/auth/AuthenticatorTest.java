package dev.spillway.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.spillway.core.api.ApiException;
import dev.spillway.core.auth.dynamo.DynamoApiKeyStore;
import dev.spillway.core.config.IntakeConfig;
import dev.spillway.core.job.Tier;
import dev.spillway.local.emulators.LocalCloud;

/**
 * What the authenticator can answer from memory (on an event loop) and what only the key store can tell, against
 * the keys table in the DynamoDB emulator.
 */
class AuthenticatorTest {

    private static LocalCloud cloud;
    private static DynamoApiKeyStore store;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start(new LocalCloud.Options(Duration.ofSeconds(30), 3, false, false, "auth-test", 0, 0, 0));
        store = new DynamoApiKeyStore(cloud.dynamo(), cloud.apiKeysTable());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static String newKey(String tenant) {
        String key = ApiKeys.generate();
        store.put(new ApiKey(ApiKeys.hash(key), tenant, Tier.STANDARD, Set.of(), 0, 0, Instant.now(), null));
        return key;
    }

    @Test
    void fromMemory_knowsAKeyOnlyOnceTheStoreWasAsked() {
        // GIVEN a stored key this instance has never seen
        Authenticator authenticator = authenticator(Duration.ofMinutes(1));
        String key = newKey("acme");

        // WHEN / THEN memory cannot tell, the store can, and memory then remembers it
        assertThat(authenticator.authenticateFromMemory("Bearer " + key)).isEmpty();
        assertThat(authenticator.authenticate("Bearer " + key).tenant()).isEqualTo("acme");
        assertThat(authenticator.authenticateFromMemory("Bearer " + key)).map(Caller::tenant).hasValue("acme");
    }

    @Test
    void fromMemory_refusesAMissingKeyAndAKeyTheStoreDoesNotHave() {
        Authenticator authenticator = authenticator(Duration.ofMinutes(1));
        String unknown = ApiKeys.generate();
        assertThatThrownBy(() -> authenticator.authenticate("Bearer " + unknown)).isInstanceOf(ApiException.class);

        assertThatThrownBy(() -> authenticator.authenticateFromMemory(null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(() -> authenticator.authenticateFromMemory("Bearer " + unknown))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.toBody().error().code()).isEqualTo("invalid_api_key"));
    }

    @Test
    void aKeyInUse_isLookedUpAgainInTheBackground_soMemoryLearnsOfItsRevocation() {
        // GIVEN a key in use, remembered for two seconds
        Authenticator authenticator = authenticator(Duration.ofSeconds(2));
        String key = newKey("revoked-later");
        authenticator.authenticate("Bearer " + key);

        // WHEN it is revoked in the store
        ApiKey stored = store.find(ApiKeys.hash(key)).orElseThrow();
        store.put(new ApiKey(stored.keyHash(), stored.tenant(), stored.tier(), stored.models(), 0, 0,
                stored.created(), Instant.now()));

        // THEN memory alone refuses it once refreshed (an entry that merely expired would leave memory empty)
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThatThrownBy(() -> authenticator.authenticateFromMemory("Bearer " + key))
                        .isInstanceOf(ApiException.class));
    }

    private static Authenticator authenticator(Duration keyCacheTtl) {
        AuthConfig auth = new AuthConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String keysTable() {
                return cloud.apiKeysTable();
            }

            @Override
            public Duration keyCacheTtl() {
                return keyCacheTtl;
            }
        };
        return new Authenticator(auth, store, intakeConfig());
    }

    private static IntakeConfig intakeConfig() {
        return new IntakeConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public Duration defaultWait() {
                return Duration.ofSeconds(25);
            }

            @Override
            public Duration maxWait() {
                return Duration.ofSeconds(25);
            }

            @Override
            public int maxBodyBytes() {
                return 262_144;
            }

            @Override
            public int maxTokensLimit() {
                return 32_768;
            }

            @Override
            public String defaultTenant() {
                return "default";
            }

            @Override
            public Duration pollAfter() {
                return Duration.ofSeconds(2);
            }
        };
    }
}
