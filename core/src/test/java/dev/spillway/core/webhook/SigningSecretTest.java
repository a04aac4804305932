package dev.spillway.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

/**
 * Where the master secret comes from. Secrets Manager is an AWS-only API with no emulator here, so its one call
 * ({@code GetSecretValue} by ARN) is played by a function the test scripts.
 */
class SigningSecretTest {

    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhooks-AbCdEf";

    private final SteppedClock clock = new SteppedClock();
    private final List<String> reads = new ArrayList<>();

    @Test
    void get_whenTheSecretItselfIsConfigured_neverAsksSecretsManager() {
        SigningSecret secret = new SigningSecret(config("local-secret", ARN), clock, answering("from-aws"));

        assertThat(secret.get()).isEqualTo("local-secret");
        assertThat(reads).isEmpty();
    }

    @Test
    void get_readsTheSecretOnFirstUse_andKeepsItForTheCacheTime() {
        SigningSecret secret = new SigningSecret(config(null, ARN), clock, answering("v1"));
        assertThat(reads).as("nothing is read before a webhook is signed").isEmpty();

        // WHEN it is used three times within five minutes
        String first = secret.get();
        clock.advance(Duration.ofMinutes(4));
        String second = secret.get();
        String third = secret.get();

        // THEN Secrets Manager was asked once, for that ARN
        assertThat(List.of(first, second, third)).containsOnly("v1");
        assertThat(reads).containsExactly(ARN);
    }

    @Test
    void get_afterTheCacheTime_picksUpARotatedSecret() {
        List<String> values = new ArrayList<>(List.of("before-rotation", "after-rotation"));
        SigningSecret secret = new SigningSecret(config(null, ARN), clock, id -> {
            reads.add(id);
            return values.remove(0);
        });
        assertThat(secret.get()).isEqualTo("before-rotation");

        clock.advance(Duration.ofMinutes(5));

        assertThat(secret.get()).isEqualTo("after-rotation");
        assertThat(reads).hasSize(2);
    }

    @Test
    void get_whenARefreshFails_keepsSigningWithTheSecretItHolds_andRetriesNextTime() {
        List<Object> answers = new ArrayList<>(List.of("v1", new IllegalStateException("throttled"), "v2"));
        SigningSecret secret = new SigningSecret(config(null, ARN), clock, id -> {
            reads.add(id);
            Object answer = answers.remove(0);
            if (answer instanceof RuntimeException e) {
                throw e;
            }
            return (String) answer;
        });
        assertThat(secret.get()).isEqualTo("v1");
        clock.advance(Duration.ofMinutes(6));

        assertThat(secret.get()).as("the refresh failed").isEqualTo("v1");
        assertThat(secret.get()).as("the next use tries again").isEqualTo("v2");
        assertThat(reads).hasSize(3);
    }

    @Test
    void get_whenTheFirstReadFails_fails() {
        SigningSecret secret = new SigningSecret(config(null, ARN), clock, id -> {
            throw new IllegalStateException("AccessDenied");
        });

        assertThatThrownBy(secret::get).hasMessageContaining("AccessDenied");
    }

    @Test
    void get_whenNothingIsConfigured_saysWhatToSet() {
        SigningSecret secret = new SigningSecret(config(null, null), clock, answering("unused"));

        assertThatThrownBy(secret::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spillway.webhooks.signing-secret")
                .hasMessageContaining("spillway.webhooks.signing-secret-arn");
    }

    private UnaryOperator<String> answering(String value) {
        return id -> {
            reads.add(id);
            return value;
        };
    }

    private static WebhooksConfig config(String secret, String arn) {
        return new WebhooksConfig() {
            public boolean allowHttp() {
                return false;
            }

            public boolean allowPrivateAddresses() {
                return false;
            }

            public Optional<String> signingSecret() {
                return Optional.ofNullable(secret);
            }

            public Optional<String> signingSecretArn() {
                return Optional.ofNullable(arn);
            }

            public Duration signingSecretCacheTtl() {
                return Duration.ofMinutes(5);
            }

            public int maxAttempts() {
                return 1;
            }

            public Duration firstRetryDelay() {
                return Duration.ofSeconds(1);
            }

            public Duration maxRetryDelay() {
                return Duration.ofSeconds(1);
            }

            public Duration connectTimeout() {
                return Duration.ofSeconds(1);
            }

            public Duration responseTimeout() {
                return Duration.ofSeconds(1);
            }
        };
    }

    /** A clock the test moves. */
    private static final class SteppedClock extends Clock {

        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
